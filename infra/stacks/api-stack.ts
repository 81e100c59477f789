import { CfnOutput, Duration, Lazy, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { apiRoutes } from '../../functions/api/routes/index.ts';
import { servedByAdminFunction } from '../../functions/api/split.ts';
import type { AnyRoute } from '../../shared/http/route.ts';
import { ASSET_SOURCES } from '../../shared/reports/assets.ts';
import { environmentFor } from '../../shared/runtime/environment.ts';
import { STATE_INDEX } from '../../shared/store/table-definition.ts';
import { FUNCTION_ENTRIES } from '../bundling.ts';
import { acknowledge } from '../compliance.ts';
import { type AppConfig, CONTEXT_DEFAULTS } from '../config.ts';
import { ApiFirewall } from '../constructs/api-firewall.ts';
import { addRouteTree, planRouteTree, type ServingFunction } from '../constructs/api-routes.ts';
import { CustodyFunction } from '../constructs/custody-function.ts';
import { addProblemJsonResponses } from '../constructs/problem-responses.ts';
import { grantScheduleManagement } from '../constructs/schedule-access.ts';
import {
  federationFromContext,
  hostedUiPrefix,
  pageSessionAuthorizer,
  SignInPool,
} from '../constructs/sign-in.ts';
import { API_KEY_LEADING_KEY, grantTableAccess, ITEM_ACTIONS } from '../constructs/table-access.ts';
import { KEY_READ_ACTIONS, TenantDataRole } from '../constructs/tenant-data-role.ts';
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
  /** Webhook subscription creation seals the signing secret with it (issue 19 item 8). */
  readonly webhookSecretsKey: kms.IKey;
  readonly schedules: ScheduleTarget;
  /** The webhook delivery queue: the redeliver route enqueues on it. */
  readonly webhookQueue: sqs.IQueue;
}

/** The afterBundling copies: every ASSET_SOURCES entry to `assets/<name>` beside index.mjs. */
export const DASHBOARD_ASSET_FILES = Object.entries(ASSET_SOURCES).map(([name, source]) => ({
  from: source.from,
  to: `assets/${name}`,
}));

/**
 * The public REST API (API.md): a Lambda authorizer in front of two API functions that share the
 * route table (the tenant-facing one and the admin one, issue 19), a usage plan for per-key
 * throttling, JSON access and execution logs, and a WAF web ACL.
 */
export class ApiStack extends Stack {
  readonly api: apigateway.RestApi;
  /** Tenant-facing routes: reads only key items itself, everything else through the tenant role. */
  readonly apiFunction: CustodyFunction;
  /** Platform-admin, state-oversight and API-key routes (functions/api/split.ts). */
  readonly adminApiFunction: CustodyFunction;
  readonly authorizerFunction: CustodyFunction;
  readonly authorizer: apigateway.TokenAuthorizer;
  readonly usagePlan: apigateway.UsagePlan;
  readonly accessLogGroup: logs.LogGroup;
  /** API Gateway's execution log group, created here so it is encrypted and kept (issue 19 item 7). */
  readonly executionLogGroup: logs.LogGroup;
  readonly firewall: ApiFirewall | undefined;
  readonly tenantDataRole: TenantDataRole;
  /** People's sign-in to the HTML pages (issue 18). */
  readonly signIn: SignInPool;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { names, config } = props;
    const common = {
      stage: config.stage,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      logsKey: props.logsKey,
      fipsEndpoints: config.fipsEndpoints,
    };
    const tableRef = { tableArn: props.table.tableArn, encryptionKey: props.dataKey };
    // Both API functions read these (shared/runtime/environment.ts).
    const apiEnvironment = {
      TABLE_NAME: props.table.tableName,
      SCHEDULE_GROUP: props.schedules.scheduleGroupName,
      HOLD_TIMER_ARN: functionArnFromName(this, names.holdTimerFunction),
      SCHEDULER_ROLE_ARN: props.schedules.schedulerRole.roleArn,
      SCHEDULER_DLQ_ARN: props.schedules.schedulerDlq.queueArn,
      WEBHOOK_QUEUE_URL: props.webhookQueue.queueUrl,
    };
    // People's sign-in to the pages (issue 18): both functions serve a page; the pool is made below.
    const signInEnvironment = {
      SIGN_IN_ISSUER: Lazy.string({ produce: () => this.signIn.issuer }),
      SIGN_IN_CLIENT_ID: Lazy.string({ produce: () => this.signIn.pagesClient.userPoolClientId }),
      SIGN_IN_BASE_URL: Lazy.string({ produce: () => this.api.url }),
    };

    this.apiFunction = new CustodyFunction(this, 'ApiFunction', {
      ...common,
      functionName: names.apiFunction,
      entry: FUNCTION_ENTRIES.api,
      description: 'WSO custody REST API v1: tenant-facing routes, tenant data through the tenant role',
      serviceName: 'wso-api',
      // API Gateway gives up after 29 s; answer (or fail) well before that.
      timeout: Duration.seconds(15),
      environment: environmentFor('api', {
        ...apiEnvironment,
        // Made below (the role trusts this function's role): resolved at synthesis.
        TENANT_DATA_ROLE_ARN: Lazy.string({ produce: () => this.tenantDataRole.role.roleArn }),
        WEBHOOK_SECRETS_KEY_ID: props.webhookSecretsKey.keyArn,
        ...signInEnvironment,
      }),
      // A cap: the API cannot take the executions the hold-timer and sweeper need.
      concurrency: { reserved: config.concurrency.api },
      bundledFiles: DASHBOARD_ASSET_FILES,
    });
    this.adminApiFunction = new CustodyFunction(this, 'AdminApiFunction', {
      ...common,
      functionName: names.adminApiFunction,
      entry: FUNCTION_ENTRIES.adminApi,
      description: 'WSO custody REST API v1: platform-admin, state-oversight and API-key routes',
      serviceName: 'wso-admin-api',
      timeout: Duration.seconds(15),
      environment: environmentFor('adminApi', {
        ...apiEnvironment,
        TENANT_DATA_ROLE_ARN: Lazy.string({ produce: () => this.tenantDataRole.role.roleArn }),
        // Key issuance adds each key to this plan (shared/auth/apigateway-usage-plan-keys.ts).
        USAGE_PLAN_ID: Lazy.string({ produce: () => this.usagePlan.usagePlanId }),
        ...signInEnvironment,
      }),
      concurrency: { reserved: config.concurrency.adminApi },
      bundledFiles: DASHBOARD_ASSET_FILES,
    });
    // DESIGN.md §9: tenant data through credentials pinned to the tenant's keys (LeadingKeys).
    this.tenantDataRole = new TenantDataRole(this, 'TenantDataRole', {
      roleName: names.tenantDataRole,
      table: tableRef,
      trustedRoles: [this.apiFunction.role, this.adminApiFunction.role],
    });
    // The tenant-facing function's own role reads API-key items and nothing else of the table; the
    // caller's key is checked before any tenant data is touched. lastUsedAt is the one attribute it
    // may write there (shared/auth/api-keys.ts records a key's last use with the function role).
    grantTableAccess(this.apiFunction.role, tableRef, {
      tableActions: KEY_READ_ACTIONS,
      leadingKeys: [API_KEY_LEADING_KEY],
    });
    this.apiFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'TouchKeyLastUsedOnly',
        actions: ['dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [API_KEY_LEADING_KEY] },
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...KEY_TOUCH_ATTRIBUTES] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    );
    // POST .../webhooks seals the new subscription's secret for its tenant (the key policy requires
    // the `tenant` encryption context); opening it is the sender's alone.
    this.apiFunction.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SealWebhookSecrets',
        actions: ['kms:Encrypt'],
        resources: [props.webhookSecretsKey.keyArn],
      }),
    );
    // POST .../webhooks/{id}/deliveries/{id}/redeliver starts a new round on the delivery queue.
    props.webhookQueue.grantSendMessages(this.apiFunction.role);
    grantScheduleManagement(this.apiFunction.role, {
      scheduleGroupName: props.schedules.scheduleGroupName,
      schedulerRoleArn: props.schedules.schedulerRole.roleArn,
    });
    // The admin function crosses tenants by design (onboarding, key records, state reports): item
    // actions on the table, Query on the state index only, never Scan. It alone writes API-key items.
    grantTableAccess(this.adminApiFunction.role, tableRef, {
      tableActions: ITEM_ACTIONS,
      queryIndexes: [STATE_INDEX.indexName],
    });

    this.authorizerFunction = new CustodyFunction(this, 'AuthorizerFunction', {
      ...common,
      functionName: names.authorizerFunction,
      entry: FUNCTION_ENTRIES.authorizer,
      description: 'Resolves a bearer API key to its tenant, role and usage-plan key',
      serviceName: 'wso-authorizer',
      timeout: Duration.seconds(5),
      environment: environmentFor('authorizer', { TABLE_NAME: props.table.tableName }),
      concurrency: { reserved: config.concurrency.authorizer },
    });
    // Looks the key up by its hash and records when it was last used (DESIGN.md §5): key items
    // only. Page routes' sessions are checked by the API function, never here (issue 19 item 1).
    grantTableAccess(this.authorizerFunction.role, tableRef, {
      tableActions: ['GetItem', 'UpdateItem'],
      leadingKeys: [API_KEY_LEADING_KEY],
    });

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
    // A Regional API defaults to TLS_1_0: set the policy (and STRICT endpoint access for an enhanced
    // one: the request's SNI must name this API's own endpoint type) (issue 19 item 2). The L2
    // RestApi has no property for it yet.
    Object.assign(
      this.api.node.defaultChild as apigateway.CfnRestApi,
      securityPolicyProps(config.apiSecurityPolicy),
    );
    addProblemJsonResponses(this.api);
    // API Gateway creates `API-Gateway-Execution-Logs_<api id>/<stage>` itself, unencrypted and kept
    // forever, unless it exists first: create it with the logs key and the retention, before the stage.
    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${config.stage}`,
      retention: config.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api.deploymentStage.node.addDependency(this.executionLogGroup);

    this.authorizer = new apigateway.TokenAuthorizer(this, 'ApiKeyAuthorizer', {
      authorizerName: 'api-key',
      handler: this.authorizerFunction.function,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      // Malformed headers are refused by API Gateway without invoking the function.
      validationRegex: '^Bearer [!-~]{16,512}$',
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });

    const functionArns = this.addRoutes(config.apiKeyRequired, names);

    // People sign in to the pages through Cognito (MFA required); the API function runs the OIDC flow.
    this.signIn = new SignInPool(this, 'SignIn', {
      userPoolName: `${names.restApi}-people`,
      domainPrefix: hostedUiPrefix(this, config.stage),
      apiBaseUrl: this.api.url,
      federation: federationFromContext(this.node.tryGetContext('signInFederation')),
    });

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
    grantUsagePlanKeyManagement(this.adminApiFunction.role, this.usagePlan.usagePlanId, config.stage);
    // The admin-key script registers the first platform-admin key in the same plan (docs/DEPLOY.md).
    new CfnOutput(this, 'UsagePlanId', {
      value: this.usagePlan.usagePlanId,
      description: 'Usage plan of every API key: npm run admin-key -- --usage-plan <this>',
    });
    // The methods' invoke permissions (CDK creates them under each method) name the function by
    // that ARN too: make them wait for it, or CloudFormation may add them before it exists.
    for (const permission of this.api.node.findAll()) {
      if (!(permission instanceof lambda.CfnPermission)) continue;
      if (permission.functionName === functionArns.tenant)
        permission.node.addDependency(this.apiFunction.function);
      if (permission.functionName === functionArns.admin) {
        permission.node.addDependency(this.adminApiFunction.function);
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
   * The route table decides which function serves a path (functions/api/split.ts); API Gateway gets
   * an explicit resource for every admin and public route, and `{proxy+}` catch-alls send the rest
   * to the tenant-facing function, which routes every other path itself (infra/constructs/api-routes.ts).
   * Returns the two function ARNs the integrations and their invoke permissions use.
   */
  private addRoutes(apiKeyRequired: boolean, names: ResourceNames): { tenant: string; admin: string } {
    // The admin function's USAGE_PLAN_ID makes it depend on the usage plan, hence on the stage, the
    // deployment and every method: so the methods must not depend on the functions. They name them by
    // their fixed names (as HOLD_TIMER_ARN does), and the invoke permissions wait for them explicitly.
    const integrationOf = (id: string, functionName: string): [string, apigateway.LambdaIntegration] => {
      const byName = lambda.Function.fromFunctionAttributes(this, id, {
        functionArn: functionArnFromName(this, functionName),
        sameEnvironment: true,
      });
      // One invoke permission per method is enough; the test-invoke permissions would double them.
      return [
        byName.functionArn,
        new apigateway.LambdaIntegration(byName, { proxy: true, allowTestInvoke: false }),
      ];
    };
    const [tenantArn, tenant] = integrationOf('ApiFunctionByName', names.apiFunction);
    const [adminArn, admin] = integrationOf('AdminApiFunctionByName', names.adminApiFunction);
    const servedBy = (route: AnyRoute): ServingFunction =>
      servedByAdminFunction(route) ? 'admin' : 'tenant';
    addRouteTree(this.api.root, planRouteTree({ routes: apiRoutes, servedBy }), {
      tenant,
      admin,
      servedBy,
      authorized: {
        authorizationType: apigateway.AuthorizationType.CUSTOM,
        authorizer: this.authorizer,
        apiKeyRequired,
      },
      // The HTML pages take a person's session cookie (issue 18); a session has no usage-plan key.
      page: {
        authorizationType: apigateway.AuthorizationType.CUSTOM,
        authorizer: pageSessionAuthorizer(this, this.authorizerFunction.function),
        apiKeyRequired: false,
      },
    });
    return { tenant: tenantArn, admin: adminArn };
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
    for (const fn of [this.apiFunction, this.adminApiFunction]) {
      acknowledge(
        fn.function,
        'NIST.800.53.R5-LambdaDLQ',
        'Invoked synchronously by API Gateway only: a dead-letter queue applies to asynchronous ' +
          'invocations, and a failed request is answered with a 5xx the client retries.',
      );
    }
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

/**
 * Attributes the tenant-facing function may write on a key item: its last use only (and the key
 * attributes every request names), so it can never revoke, restore or re-scope a key.
 */
export const KEY_TOUCH_ATTRIBUTES = ['pk', 'sk', 'lastUsedAt'] as const;

/** The REST API's TLS settings: an enhanced policy needs an endpoint access mode (STRICT). */
export function securityPolicyProps(policy: string): { securityPolicy: string; endpointAccessMode?: string } {
  return policy.startsWith('SecurityPolicy_')
    ? { securityPolicy: policy, endpointAccessMode: 'STRICT' }
    : { securityPolicy: policy };
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
