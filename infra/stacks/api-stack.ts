import { CfnOutput, Duration, Lazy, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ASSET_SOURCES } from '../../shared/reports/assets.ts';
import { environmentFor } from '../../shared/runtime/environment.ts';
import { GLOBAL_INDEXES } from '../../shared/store/table-definition.ts';
import { FUNCTION_ENTRIES } from '../bundling.ts';
import { acknowledge } from '../compliance.ts';
import { type AppConfig, CONTEXT_DEFAULTS } from '../config.ts';
import { ApiFirewall } from '../constructs/api-firewall.ts';
import { CustodyFunction } from '../constructs/custody-function.ts';
import { addProblemJsonResponses } from '../constructs/problem-responses.ts';
import { grantScheduleManagement } from '../constructs/schedule-access.ts';
import { grantTableAccess } from '../constructs/table-access.ts';
import { TenantDataRole } from '../constructs/tenant-data-role.ts';
import { grantUsagePlanKeyManagement } from '../constructs/usage-plan-key-access.ts';
import { functionArnFromName, type ResourceNames } from '../naming.ts';
import type { ScheduleTarget } from './timers-stack.ts';

/** Whole stage: a ceiling that protects the table and the account's Lambda concurrency. */
export const STAGE_THROTTLE = { rateLimit: 1_000, burstLimit: 2_000 } as const;
/**
 * Per API key (one vendor integration, county tool or auditor), through the usage plan: the
 * defaults of the perKeyRateLimit / perKeyBurstLimit context (infra/config.ts).
 */
export const PER_KEY_THROTTLE = {
  rateLimit: CONTEXT_DEFAULTS.perKeyRateLimit,
  burstLimit: CONTEXT_DEFAULTS.perKeyBurstLimit,
} as const;
/** Authorizer results are cached per bearer token; a revoked key works at most this long more. */
export const AUTHORIZER_CACHE_TTL = Duration.minutes(5);

export interface ApiStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly config: AppConfig;
  readonly table: dynamodb.ITable;
  readonly dataKey: kms.IKey;
  readonly logsKey: kms.IKey;
  readonly schedules: ScheduleTarget;
  /** The webhook delivery queue: the redeliver route enqueues on it. */
  readonly webhookQueue: sqs.IQueue;
}

/** Path of the dashboard's static files; public like /v1/health (functions/api/routes/oversight.ts). */
export const ASSETS_PATH = ['v1', 'oversight', 'assets'] as const;

/** The afterBundling copies: every ASSET_SOURCES entry to `assets/<name>` beside index.mjs. */
export const DASHBOARD_ASSET_FILES = Object.entries(ASSET_SOURCES).map(([name, source]) => ({
  from: source.from,
  to: `assets/${name}`,
}));

/**
 * The public REST API (API.md): a Lambda authorizer in front of one API function that routes every
 * path itself, a usage plan for per-key throttling, JSON access logs, and a WAF web ACL.
 */
export class ApiStack extends Stack {
  readonly api: apigateway.RestApi;
  readonly apiFunction: CustodyFunction;
  readonly authorizerFunction: CustodyFunction;
  readonly authorizer: apigateway.TokenAuthorizer;
  readonly usagePlan: apigateway.UsagePlan;
  readonly accessLogGroup: logs.LogGroup;
  readonly firewall: ApiFirewall | undefined;
  readonly tenantDataRole: TenantDataRole;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { names, config } = props;
    const common = {
      stage: config.stage,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      logsKey: props.logsKey,
    };
    const tableRef = { tableArn: props.table.tableArn, encryptionKey: props.dataKey };

    this.apiFunction = new CustodyFunction(this, 'ApiFunction', {
      ...common,
      functionName: names.apiFunction,
      entry: FUNCTION_ENTRIES.api,
      description: 'WSO custody REST API v1: every route',
      serviceName: 'wso-api',
      // API Gateway gives up after 29 s; answer (or fail) well before that.
      timeout: Duration.seconds(15),
      environment: environmentFor('api', {
        TABLE_NAME: props.table.tableName,
        SCHEDULE_GROUP: props.schedules.scheduleGroupName,
        HOLD_TIMER_ARN: functionArnFromName(this, names.holdTimerFunction),
        SCHEDULER_ROLE_ARN: props.schedules.schedulerRole.roleArn,
        SCHEDULER_DLQ_ARN: props.schedules.schedulerDlq.queueArn,
        WEBHOOK_QUEUE_URL: props.webhookQueue.queueUrl,
        // Made below (the role trusts this function's role; the plan needs the API): resolved at synthesis.
        TENANT_DATA_ROLE_ARN: Lazy.string({ produce: () => this.tenantDataRole.role.roleArn }),
        // Key issuance adds each key to this plan (shared/auth/apigateway-usage-plan-keys.ts).
        USAGE_PLAN_ID: Lazy.string({ produce: () => this.usagePlan.usagePlanId }),
      }),
      bundledFiles: DASHBOARD_ASSET_FILES,
    });
    // DESIGN.md §9: tenant data through credentials pinned to the tenant's keys (LeadingKeys). The
    // role exists and the function may assume it; see docs/DEPLOY.md for the application side.
    this.tenantDataRole = new TenantDataRole(this, 'TenantDataRole', {
      roleName: names.tenantDataRole,
      table: tableRef,
      trustedRole: this.apiFunction.role,
    });
    // POST .../webhooks/{id}/deliveries/{id}/redeliver starts a new round on the delivery queue.
    props.webhookQueue.grantSendMessages(this.apiFunction.role);
    grantTableAccess(this.apiFunction.role, tableRef, {
      tableActions: [
        'GetItem',
        'BatchGetItem',
        'Query',
        'PutItem',
        'UpdateItem',
        'DeleteItem',
        'ConditionCheckItem',
        'TransactWriteItems',
      ],
      queryIndexes: GLOBAL_INDEXES.map((index) => index.indexName),
    });
    grantScheduleManagement(this.apiFunction.role, {
      scheduleGroupName: props.schedules.scheduleGroupName,
      schedulerRoleArn: props.schedules.schedulerRole.roleArn,
    });

    this.authorizerFunction = new CustodyFunction(this, 'AuthorizerFunction', {
      ...common,
      functionName: names.authorizerFunction,
      entry: FUNCTION_ENTRIES.authorizer,
      description: 'Resolves a bearer API key to its tenant, role and usage-plan key',
      serviceName: 'wso-authorizer',
      timeout: Duration.seconds(5),
      environment: environmentFor('authorizer', { TABLE_NAME: props.table.tableName }),
    });
    // Looks the key up by its hash and records when it was last used (DESIGN.md §5).
    grantTableAccess(this.authorizerFunction.role, tableRef, { tableActions: ['GetItem', 'UpdateItem'] });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${names.restApi}/access`,
      retention: config.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.api = new apigateway.RestApi(this, 'RestApi', {
      restApiName: names.restApi,
      description: 'WSO custody platform API v1',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // The authorizer names the caller's API Gateway key (usageIdentifierKey), so per-key
      // throttling works with bearer keys that API Gateway itself never sees.
      apiKeySourceType: apigateway.ApiKeySourceType.AUTHORIZER,
      // Execution logging needs the account-level CloudWatch role. It is one setting per account
      // and Region, so the role is retained: deleting this stack must not break other APIs' logs.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.stage,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Full request/response logging would put person data and API keys in the logs.
        dataTraceEnabled: false,
        throttlingRateLimit: STAGE_THROTTLE.rateLimit,
        throttlingBurstLimit: STAGE_THROTTLE.burstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
      },
    });
    addProblemJsonResponses(this.api);

    this.authorizer = new apigateway.TokenAuthorizer(this, 'ApiKeyAuthorizer', {
      authorizerName: 'api-key',
      handler: this.authorizerFunction.function,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      // Malformed headers are refused by API Gateway without invoking the function.
      validationRegex: '^Bearer [!-~]{16,512}$',
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });

    const apiFunctionArn = this.addRoutes(config.apiKeyRequired, names.apiFunction);

    this.usagePlan = this.api.addUsagePlan('UsagePlan', {
      name: `${names.restApi}-api-keys`,
      description: 'Per-key throttling for every API key; keys are attached by key issuance',
      throttle: config.perKeyThrottle,
      // No quota by default: a custody fact (release, transfer) must never be refused for volume.
      ...(config.perKeyDailyQuota === undefined
        ? {}
        : { quota: { limit: config.perKeyDailyQuota, period: apigateway.Period.DAY } }),
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    grantUsagePlanKeyManagement(this.apiFunction.role, this.usagePlan.usagePlanId);
    // The admin-key script registers the first platform-admin key in the same plan (docs/DEPLOY.md).
    new CfnOutput(this, 'UsagePlanId', {
      value: this.usagePlan.usagePlanId,
      description: 'Usage plan of every API key: npm run admin-key -- --usage-plan <this>',
    });
    // The methods' invoke permissions (CDK creates them under each method) name the function by
    // that ARN too: make them wait for it, or CloudFormation may add them before it exists.
    for (const permission of this.api.node.findAll()) {
      if (permission instanceof lambda.CfnPermission && permission.functionName === apiFunctionArn) {
        permission.node.addDependency(this.apiFunction.function);
      }
    }

    this.acknowledgeFindings(config.wafEnabled);

    this.firewall = config.wafEnabled
      ? new ApiFirewall(this, 'Firewall', {
          webAclName: names.webAcl,
          logGroupName: names.webAclLogGroup,
          logRetention: config.logRetention,
          logsKey: props.logsKey,
          stageArn: this.api.deploymentStage.stageArn,
        })
      : undefined;
  }

  /**
   * The API function routes every path itself (one entry, DESIGN.md §7), so API Gateway only needs
   * catch-all routes: `/` and `/{proxy+}`, plus `/v1/{proxy+}` so a path under the explicit `/v1`
   * resource never depends on API Gateway falling back to the root proxy (and `/v1/oversight/{proxy+}`
   * for the same reason under `/v1/oversight`). Only GET /v1/health and GET
   * /v1/oversight/assets/{file} are open; everything else goes through the authorizer. Returns the
   * API function ARN the integrations and their invoke permissions use.
   */
  private addRoutes(apiKeyRequired: boolean, apiFunctionName: string): string {
    // The API function's USAGE_PLAN_ID makes it depend on the usage plan, hence on the stage, the
    // deployment and every method: so the methods must not depend on the function. They name it by
    // its fixed name (as HOLD_TIMER_ARN does), and the invoke permissions wait for it explicitly.
    const byName = lambda.Function.fromFunctionAttributes(this, 'ApiFunctionByName', {
      functionArn: functionArnFromName(this, apiFunctionName),
      sameEnvironment: true,
    });
    const integration = new apigateway.LambdaIntegration(byName, {
      proxy: true,
      // One invoke permission per method is enough; the test-invoke permissions would double them.
      allowTestInvoke: false,
    });
    const authorized: apigateway.MethodOptions = {
      authorizationType: apigateway.AuthorizationType.CUSTOM,
      authorizer: this.authorizer,
      apiKeyRequired,
    };
    this.api.root.addMethod('ANY', integration, authorized);
    this.api.root.addResource('{proxy+}').addMethod('ANY', integration, authorized);
    const v1 = this.api.root.addResource('v1');
    v1.addResource('{proxy+}').addMethod('ANY', integration, authorized);
    const health = v1.addResource('health').addMethod('GET', integration, {
      authorizationType: apigateway.AuthorizationType.NONE,
      apiKeyRequired: false,
    });
    acknowledge(
      health,
      'AwsSolutions-APIG4',
      'GET /v1/health is public by contract (API.md: role "none") for load balancers and uptime ' +
        'checks; it returns {status:"ok"} and reads no data.',
    );
    // The oversight pages load their script and styles with plain <script>/<link> tags, which
    // cannot send a bearer key: the static files are public and contain no data.
    const oversight = v1.addResource(ASSETS_PATH[1]);
    oversight.addResource('{proxy+}').addMethod('ANY', integration, authorized);
    const assets = oversight
      .addResource(ASSETS_PATH[2])
      .addResource('{file}')
      .addMethod('GET', integration, {
        authorizationType: apigateway.AuthorizationType.NONE,
        apiKeyRequired: false,
        requestParameters: { 'method.request.path.file': true },
      });
    acknowledge(
      assets,
      'AwsSolutions-APIG4',
      'GET /v1/oversight/assets/{file} serves the fixed static files of the oversight pages (uPlot, ' +
        'our chart script and CSS) bundled with the function; browsers load them without credentials ' +
        'and they contain no tenant or person data.',
    );
    return byName.functionArn;
  }

  private acknowledgeFindings(wafEnabled: boolean): void {
    acknowledge(
      this.api,
      'AwsSolutions-COG4',
      'Callers are jail-management systems, county tools and auditors holding API keys, not Cognito ' +
        'users; every method except the public health check uses the Lambda authorizer instead.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-APIG2',
      'Bodies are validated by the strict zod schemas in the API function (unknown fields are a 400 ' +
        'problem+json, API.md), which also generate the OpenAPI document; a second copy as API Gateway ' +
        "models would drift from them and could not produce the contract's error format.",
    );
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole !== undefined) {
      acknowledge(
        cloudWatchRole,
        'AwsSolutions-IAM4',
        'The account-level role API Gateway uses to write execution logs; the AWS managed ' +
          'AmazonAPIGatewayPushToCloudWatchLogs policy is the documented policy for it.',
        ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
      );
    }
    const stage = this.api.deploymentStage;
    acknowledge(
      stage,
      'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      'Responses carry person data and per-tenant, fast-changing hold states: a response cache could ' +
        "serve stale deadlines or one caller's data to another. Only authorizer results are cached.",
    );
    acknowledge(
      stage,
      'NIST.800.53.R5-APIGWSSLEnabled',
      'A client certificate authenticates API Gateway to an HTTP backend; the only backend here is a ' +
        'Lambda proxy integration invoked through IAM.',
    );
    acknowledge(
      this.apiFunction.function,
      'NIST.800.53.R5-LambdaDLQ',
      'Invoked synchronously by API Gateway only: a dead-letter queue applies to asynchronous ' +
        'invocations, and a failed request is answered with a 5xx the client retries.',
    );
    acknowledge(
      this.authorizerFunction.function,
      'NIST.800.53.R5-LambdaDLQ',
      'Invoked synchronously by API Gateway only: a dead-letter queue applies to asynchronous ' +
        'invocations, and a failed authorization is answered to the caller.',
    );
    if (!wafEnabled) {
      const reason =
        'WAF turned off with the wafEnabled=false context (short-lived development stages only); ' +
        'production stages deploy with the default wafEnabled=true.';
      acknowledge(stage, 'AwsSolutions-APIG3', reason);
      acknowledge(stage, 'NIST.800.53.R5-APIGWAssociatedWithWAF', reason);
    }
  }
}

/** One JSON object per request; no header values, so API keys never reach the access log. */
function accessLogFormat(): apigateway.AccessLogFormat {
  const f = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      extendedRequestId: f.contextExtendedRequestId(),
      requestTime: f.contextRequestTime(),
      ip: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      httpMethod: f.contextHttpMethod(),
      path: f.contextPath(),
      resourcePath: f.contextResourcePath(),
      protocol: f.contextProtocol(),
      status: f.contextStatus(),
      responseLength: f.contextResponseLength(),
      responseLatency: f.contextResponseLatency(),
      integrationLatency: f.contextIntegrationLatency(),
      integrationStatus: f.contextIntegrationStatus(),
      principalId: f.contextAuthorizerPrincipalId(),
      apiKeyId: f.contextIdentityApiKeyId(),
      authorizerStatus: f.contextAuthorizerStatus(),
      authorizerLatency: f.contextAuthorizerLatency(),
      authorizeError: f.contextAuthorizeError(),
      wafStatus: f.contextWafStatus(),
      errorMessage: f.contextErrorMessage(),
      xrayTraceId: f.contextXrayTraceId(),
    }),
  );
}
