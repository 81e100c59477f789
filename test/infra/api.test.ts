import { existsSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MIN_LOG_RETENTION_DAYS } from '../../infra/config.ts';
import { RATE_LIMIT_PER_IP_5_MIN } from '../../infra/constructs/api-firewall.ts';
import { copyCommands } from '../../infra/constructs/custody-function.ts';
import { fromRepoRoot } from '../../infra/paths.ts';
import {
  AUTHORIZER_CACHE_TTL,
  DASHBOARD_ASSET_FILES,
  PER_KEY_THROTTLE,
  STAGE_THROTTLE,
} from '../../infra/stacks/api-stack.ts';
import { ASSET_SOURCES } from '../../shared/reports/assets.ts';
import { synthesize } from './support/synth.ts';
import {
  allows,
  asArray,
  identityStatements,
  onlyResource,
  props,
  render,
  resourcesOfType,
  statementsOfRole,
} from './support/template-helpers.ts';

const wso = synthesize();
const { templates, names } = wso;
const api = templates.api;

const [restApiId] = onlyResource(api, 'AWS::ApiGateway::RestApi');
// The API-key TOKEN authorizer; the pages' session authorizer is test/infra/sign-in.test.ts's.
const [authorizerId, authorizer] = Object.entries(resourcesOfType(api, 'AWS::ApiGateway::Authorizer')).find(
  ([, candidate]) => props(candidate).Name === 'api-key',
)!;
const [stageId, stage] = onlyResource(api, 'AWS::ApiGateway::Stage');
const apiFunctionId = Object.entries(resourcesOfType(api, 'AWS::Lambda::Function')).find(
  ([, r]) => props(r).FunctionName === names.apiFunction,
)![0];
const authorizerFunctionId = Object.entries(resourcesOfType(api, 'AWS::Lambda::Function')).find(
  ([, r]) => props(r).FunctionName === names.authorizerFunction,
)![0];
/** The API function as the methods name it: by its fixed name, so they do not depend on it. */
const apiFunctionArnByName = `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${names.apiFunction}`;
const [usagePlanId, usagePlan] = onlyResource(api, 'AWS::ApiGateway::UsagePlan');

/** Method path → properties, e.g. "ANY /v1/{proxy+}". */
function methods(): Map<string, Record<string, unknown>> {
  const resources = resourcesOfType(api, 'AWS::ApiGateway::Resource');
  const pathOf = (resourceId: unknown): string => {
    const rendered = render(resourceId);
    if (rendered === `\${${restApiId}.RootResourceId}`) return '';
    const resource = resources[rendered.slice(2, -1)]!;
    return `${pathOf(props(resource).ParentId)}/${String(props(resource).PathPart)}`;
  };
  return new Map(
    Object.values(resourcesOfType(api, 'AWS::ApiGateway::Method')).map((m) => [
      `${String(props(m).HttpMethod)} ${pathOf(props(m).ResourceId) || '/'}`,
      props(m),
    ]),
  );
}

/** Issue 18's methods: the two pages, the API-key paths beside them, and the sign-in routes. */
const PAGE_AND_SIGN_IN_METHODS = [
  'ANY /v1/tenants',
  'ANY /v1/tenants/{tenantId}',
  'ANY /v1/tenants/{tenantId}/{proxy+}',
  'GET /v1/tenants/{tenantId}/hold-board',
  'ANY /v1/oversight/states',
  'ANY /v1/oversight/states/{state}',
  'ANY /v1/oversight/states/{state}/{proxy+}',
  'GET /v1/oversight/states/{state}/dashboard',
  'GET /v1/sign-in',
  'GET /v1/sign-in/callback',
  'POST /v1/sign-out',
];

describe('REST API', () => {
  it('is regional and takes API keys from the authorizer', () => {
    api.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: names.restApi,
      ApiKeySourceType: 'AUTHORIZER',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it('routes /, /{proxy+}, /v1/{proxy+} and /v1/oversight/{proxy+} through the authorizer to the API function', () => {
    const all = methods();
    // Beside these: the pages, the JSON paths around them and sign-in (test/infra/sign-in.test.ts).
    expect([...all.keys()].filter((route) => !PAGE_AND_SIGN_IN_METHODS.includes(route)).sort()).toEqual([
      'ANY /',
      'ANY /v1/oversight/{proxy+}',
      'ANY /v1/{proxy+}',
      'ANY /{proxy+}',
      'GET /v1/health',
      'GET /v1/oversight/assets/{file}',
    ]);
    for (const route of ['ANY /', 'ANY /{proxy+}', 'ANY /v1/{proxy+}', 'ANY /v1/oversight/{proxy+}']) {
      expect(all.get(route), route).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: authorizerId },
        // cdk.json default: key issuance registers every key in the usage plan (apiKeyRequired=true).
        ApiKeyRequired: true,
        Integration: { Type: 'AWS_PROXY' },
      });
      expect(render((all.get(route)!.Integration as { Uri: unknown }).Uri)).toContain(
        `/functions/${apiFunctionArnByName}/invocations`,
      );
    }
  });

  it('lets apiKeyRequired=false turn the API key requirement off (short-lived stages only)', () => {
    const off = synthesize({ context: { apiKeyRequired: 'false' } }).templates.api;
    const authorized = Object.values(resourcesOfType(off, 'AWS::ApiGateway::Method')).filter(
      (method) => props(method).AuthorizationType === 'CUSTOM',
    );
    // The four catch-alls and the six API-key paths beside the pages (issue 18); the pages never require one.
    expect(authorized).toHaveLength(4 + 6 + 2);
    for (const method of authorized) expect(props(method).ApiKeyRequired).toBe(false);
  });

  it('lets API Gateway invoke the API function only once the function exists (permissions wait for it)', () => {
    const permissions = Object.values(
      api.findResources('AWS::Lambda::Permission', {
        Properties: { Principal: 'apigateway.amazonaws.com' },
      }) as Record<string, { Properties: Record<string, unknown>; DependsOn?: string[] }>,
    ).filter((permission) => render(permission.Properties.FunctionName) === apiFunctionArnByName);
    // One per method: the four authorized ones, /v1/health, the dashboard assets and issue 18's.
    expect(permissions).toHaveLength(6 + PAGE_AND_SIGN_IN_METHODS.length);
    for (const permission of permissions) {
      expect(permission.DependsOn ?? []).toContain(apiFunctionId);
      expect(render(permission.Properties.SourceArn)).toContain(`\${${restApiId}}`);
    }
  });

  it('leaves GET /v1/health open (no authorizer, no API key)', () => {
    expect(methods().get('GET /v1/health')).toMatchObject({
      AuthorizationType: 'NONE',
      ApiKeyRequired: false,
      Integration: { Type: 'AWS_PROXY' },
    });
  });

  it('leaves GET /v1/oversight/assets/{file} open like /v1/health (static files, no data)', () => {
    const assets = methods().get('GET /v1/oversight/assets/{file}');
    expect(assets).toMatchObject({
      AuthorizationType: 'NONE',
      ApiKeyRequired: false,
      Integration: { Type: 'AWS_PROXY' },
    });
    expect(assets?.AuthorizerId).toBeUndefined();
    expect(render((assets!.Integration as { Uri: unknown }).Uri)).toContain(
      `/functions/${apiFunctionArnByName}/invocations`,
    );
  });

  it('answers its own errors as problem+json', () => {
    api.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"status":401') },
    });
  });
});

describe('Lambda authorizer', () => {
  it('is a TOKEN authorizer on the Authorization header with cached results', () => {
    expect(props(authorizer)).toMatchObject({
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: AUTHORIZER_CACHE_TTL.toSeconds(),
    });
    expect(AUTHORIZER_CACHE_TTL.toSeconds()).toBe(300);
    expect(render(props(authorizer).AuthorizerUri)).toContain(`\${${authorizerFunctionId}.Arn}`);
  });

  it('refuses malformed Authorization headers before invoking the function', () => {
    const pattern = new RegExp(String(props(authorizer).IdentityValidationExpression));
    expect(pattern.test('Bearer wso_live_0123456789abcdefghij')).toBe(true);
    expect(pattern.test('Basic dXNlcjpwYXNz')).toBe(false);
    expect(pattern.test('Bearer ')).toBe(false);
  });
});

describe('usage plan', () => {
  it('throttles per key on the deployed stage, without a quota', () => {
    expect(props(usagePlan)).toMatchObject({
      Throttle: { RateLimit: PER_KEY_THROTTLE.rateLimit, BurstLimit: PER_KEY_THROTTLE.burstLimit },
      ApiStages: [{ ApiId: { Ref: restApiId }, Stage: { Ref: stageId } }],
    });
    expect(PER_KEY_THROTTLE).toEqual({ rateLimit: 50, burstLimit: 100 });
    expect(props(usagePlan).Quota).toBeUndefined();
  });

  it('takes its throttle and an optional daily quota from the context', () => {
    const tuned = synthesize({
      context: { perKeyRateLimit: '20', perKeyBurstLimit: '40', perKeyDailyQuota: '100000' },
    }).templates.api;
    const [, plan] = onlyResource(tuned, 'AWS::ApiGateway::UsagePlan');
    expect(props(plan)).toMatchObject({
      Throttle: { RateLimit: 20, BurstLimit: 40 },
      Quota: { Limit: 100_000, Period: 'DAY' },
    });
  });

  it('is named in the API function environment (USAGE_PLAN_ID) and in a stack output', () => {
    const apiFunction = resourcesOfType(api, 'AWS::Lambda::Function')[apiFunctionId]!;
    const variables = (props(apiFunction).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.USAGE_PLAN_ID).toEqual({ Ref: usagePlanId });
    const outputs = Object.values(api.findOutputs('*')) as Array<{ Value: unknown }>;
    expect(outputs.map((output) => output.Value)).toContainEqual({ Ref: usagePlanId });
  });
});

describe('usage-plan keys: what the API function may do in API Gateway', () => {
  const apiFunctionRoleId = render(
    props(resourcesOfType(api, 'AWS::Lambda::Function')[apiFunctionId]!).Role,
  ).replace(/^\$\{(\w+)\.Arn\}$/, '$1');
  const apigatewayStatements = statementsOfRole(api, apiFunctionRoleId).filter((statement) =>
    asArray(statement.Action).some((action) => action.toLowerCase().startsWith('apigateway:')),
  );
  const arn = (path: string) => `arn:\${AWS::Partition}:apigateway:\${AWS::Region}::${path}`;

  it('is exactly POST on /apikeys and on this plan\u2019s keys, and DELETE on /apikeys/*', () => {
    const granted = apigatewayStatements.flatMap((statement) =>
      asArray(statement.Action).flatMap((action) =>
        asArray(statement.Resource).map((resource) => `${statement.Effect} ${action} ${render(resource)}`),
      ),
    );
    expect(granted.sort()).toEqual(
      [
        `Allow apigateway:POST ${arn('/apikeys')}`,
        `Allow apigateway:POST ${arn(`/usageplans/\${${usagePlanId}}/keys`)}`,
        `Allow apigateway:DELETE ${arn('/apikeys/*')}`,
      ].sort(),
    );
    expect(apigatewayStatements.every((statement) => statement.Condition === undefined)).toBe(true);
  });

  it('never lets a function read key values back (no apigateway:GET) or change the plan', () => {
    for (const { statement } of identityStatements(api)) {
      expect(allows(statement, 'apigateway:GET')).toBe(false);
      expect(allows(statement, 'apigateway:PATCH')).toBe(false);
    }
  });

  it('is granted to the API function only, not the authorizer', () => {
    const authorizerRoleId = render(
      props(resourcesOfType(api, 'AWS::Lambda::Function')[authorizerFunctionId]!).Role,
    ).replace(/^\$\{(\w+)\.Arn\}$/, '$1');
    const authorizerStatements = statementsOfRole(api, authorizerRoleId);
    expect(authorizerStatements.length).toBeGreaterThan(0);
    for (const statement of authorizerStatements) {
      expect(allows(statement, 'apigateway:POST')).toBe(false);
      expect(allows(statement, 'apigateway:DELETE')).toBe(false);
    }
  });
});

describe('stage', () => {
  it('traces, throttles, logs errors without request data, and writes JSON access logs', () => {
    const stageProps = props(stage);
    expect(stageProps).toMatchObject({
      StageName: 'dev',
      TracingEnabled: true,
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: STAGE_THROTTLE.rateLimit,
          ThrottlingBurstLimit: STAGE_THROTTLE.burstLimit,
        },
      ],
    });
    const accessLog = stageProps.AccessLogSetting as { Format: string; DestinationArn: unknown };
    const format = JSON.parse(accessLog.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(accessLog.Format).not.toMatch(/header/i);
    // cdk.json's logGroupDestinationArnWithoutWildcard flag: the ARN is built from the group's name.
    const logGroupId = /:log-group:\$\{(\w+)\}$/.exec(render(accessLog.DestinationArn))?.[1] ?? '';
    const logGroup = resourcesOfType(api, 'AWS::Logs::LogGroup')[logGroupId]!;
    expect(props(logGroup).RetentionInDays).toBeGreaterThanOrEqual(MIN_LOG_RETENTION_DAYS);
    expect(props(logGroup).KmsKeyId).toBeDefined();
  });
});

describe('WAF', () => {
  const [webAclId, webAcl] = onlyResource(api, 'AWS::WAFv2::WebACL');

  it('is a regional web ACL with the AWS managed rule groups and a per-IP rate limit', () => {
    const rules = props(webAcl).Rules as Array<{
      Name: string;
      Statement: Record<string, Record<string, unknown>>;
    }>;
    expect(props(webAcl).Scope).toBe('REGIONAL');
    const managed = rules
      .map((rule) => rule.Statement.ManagedRuleGroupStatement)
      .filter((statement) => statement !== undefined)
      .map((statement) => `${String(statement.VendorName)}/${String(statement.Name)}`);
    expect(managed.sort()).toEqual([
      'AWS/AWSManagedRulesAmazonIpReputationList',
      'AWS/AWSManagedRulesCommonRuleSet',
      'AWS/AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    const rate = rules.find((rule) => rule.Statement.RateBasedStatement !== undefined);
    expect(rate?.Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'IP',
      Limit: RATE_LIMIT_PER_IP_5_MIN,
    });
  });

  it('is associated with the API stage', () => {
    const [, association] = onlyResource(api, 'AWS::WAFv2::WebACLAssociation');
    expect(props(association).WebACLArn).toEqual({ 'Fn::GetAtt': [webAclId, 'Arn'] });
    const stageArn = render(props(association).ResourceArn);
    expect(stageArn).toBe(
      `arn:\${AWS::Partition}:apigateway:\${AWS::Region}::/restapis/\${${restApiId}}/stages/\${${stageId}}`,
    );
  });

  it('logs to an aws-waf-logs- group with the Authorization header redacted', () => {
    const [, logging] = onlyResource(api, 'AWS::WAFv2::LoggingConfiguration');
    expect(props(logging).RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
    api.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: names.webAclLogGroup });
    expect(names.webAclLogGroup.startsWith('aws-waf-logs-')).toBe(true);
  });
});

describe('dashboard assets in the API bundle', () => {
  it('copies every ASSET_SOURCES entry to assets/<name>, from a file that exists', () => {
    expect(DASHBOARD_ASSET_FILES.map((file) => file.to).sort()).toEqual(
      Object.keys(ASSET_SOURCES)
        .map((name) => `assets/${name}`)
        .sort(),
    );
    for (const file of DASHBOARD_ASSET_FILES)
      expect(existsSync(fromRepoRoot(file.from)), file.from).toBe(true);
  });

  it('turns them into the afterBundling commands (one mkdir, one quoted cp per file)', () => {
    const commands = copyCommands(DASHBOARD_ASSET_FILES, '/in', "/out dir/it's");
    expect(commands[0]).toBe(`mkdir -p '/out dir/it'\\''s/assets'`);
    expect(commands).toHaveLength(1 + DASHBOARD_ASSET_FILES.length);
    expect(commands).toContain(
      `cp '/in/node_modules/uplot/dist/uPlot.iife.min.js' '/out dir/it'\\''s/assets/uplot.js'`,
    );
  });

  it('are wired into the API function only', () => {
    expect(wso.api.apiFunction.bundledFiles).toEqual(DASHBOARD_ASSET_FILES);
    expect(wso.api.authorizerFunction.bundledFiles).toEqual([]);
  });
});
