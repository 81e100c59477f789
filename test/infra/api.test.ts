import { existsSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../functions/api/routes/index.ts';
import { servedByAdminFunction } from '../../functions/api/split.ts';
import { MIN_LOG_RETENTION_DAYS } from '../../infra/config.ts';
import {
  RATE_LIMIT_PER_IP_5_MIN,
  UNAUTHENTICATED_RATE_LIMIT_PER_IP_5_MIN,
} from '../../infra/constructs/api-firewall.ts';
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

const adminFunctionArnByName = `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${names.adminApiFunction}`;
const adminFunctionId = Object.entries(resourcesOfType(api, 'AWS::Lambda::Function')).find(
  ([, r]) => props(r).FunctionName === names.adminApiFunction,
)![0];

/**
 * The method API Gateway runs for a request, as it matches REST API paths: per segment a literal
 * resource first, then a path variable, then a greedy `{proxy+}` (backing off to the nearest one);
 * on the resource found, the method itself or else ANY.
 */
function resolve(
  all: Map<string, Record<string, unknown>>,
  method: string,
  path: string,
): Record<string, unknown> | undefined {
  const paths = new Set([...all.keys()].map((key) => key.slice(key.indexOf(' ') + 1)));
  const children = (parent: string): string[] =>
    [...paths].filter((p) => p !== parent && p.slice(0, p.lastIndexOf('/') || 1) === parent);
  const segments = path.split('/').filter((p) => p !== '');
  const walk = (at: string, rest: string[]): string | undefined => {
    if (rest.length === 0) return at;
    const [head, ...tail] = rest as [string, ...string[]];
    const join = (part: string) => `${at === '/' ? '' : at}/${part}`;
    const kids = children(at);
    const literal = kids.find((k) => k === join(head));
    const variable = kids.find((k) => /\/\{\w+\}$/.test(k));
    const proxy = kids.find((k) => k.endsWith('/{proxy+}'));
    return (
      (literal && walk(literal, tail)) || (variable && walk(variable, tail)) || (proxy ? proxy : undefined)
    );
  };
  const found = walk('/', segments);
  return found === undefined ? undefined : (all.get(`${method} ${found}`) ?? all.get(`ANY ${found}`));
}

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

describe('REST API', () => {
  it('is regional and takes API keys from the authorizer', () => {
    api.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: names.restApi,
      ApiKeySourceType: 'AUTHORIZER',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it('sends every route of the table to the function that serves it, as API Gateway matches paths', () => {
    const all = methods();
    for (const route of apiRoutes) {
      const concrete = route.path.replace(/\{(\w+)\}/g, (_all, name: string) => `${name}-1`);
      const found = resolve(all, route.method, concrete);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      const expected = servedByAdminFunction(route) ? adminFunctionArnByName : apiFunctionArnByName;
      expect(render((found!.Integration as { Uri: unknown }).Uri), `${route.method} ${route.path}`).toContain(
        `/functions/${expected}/invocations`,
      );
      if (route.access === 'public') expect(found!.AuthorizationType, route.path).toBe('NONE');
      else expect(found!.AuthorizationType, route.path).toBe('CUSTOM');
    }
  });

  it('sends unknown paths and methods through the authorizer to the tenant-facing function (404/405 there)', () => {
    const all = methods();
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/nope'],
      ['GET', '/v1/nope/deeper'],
      ['DELETE', '/v1/tenants/t-1'],
      ['GET', '/v1/tenants/t-1/unknown/x'],
      ['GET', '/v1/tenants/t-1/audit/unknown'],
    ] as const) {
      const found = resolve(all, method, path);
      expect(found, `${method} ${path}`).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: authorizerId },
        // cdk.json default: key issuance registers every key in the usage plan (apiKeyRequired=true).
        ApiKeyRequired: true,
        Integration: { Type: 'AWS_PROXY' },
      });
      expect(render((found!.Integration as { Uri: unknown }).Uri)).toContain(
        `/functions/${apiFunctionArnByName}/invocations`,
      );
    }
  });

  it('opens only the public routes of the table (no authorizer, no API key)', () => {
    const open = [...methods()].filter(([, m]) => m.AuthorizationType !== 'CUSTOM').map(([key]) => key);
    expect(open.sort()).toEqual(
      apiRoutes
        .filter((r) => r.access === 'public')
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
  });

  it('lets apiKeyRequired=false turn the API key requirement off (short-lived stages only)', () => {
    const off = synthesize({ context: { apiKeyRequired: 'false' } }).templates.api;
    const authorized = Object.values(resourcesOfType(off, 'AWS::ApiGateway::Method')).filter(
      (method) => props(method).AuthorizationType === 'CUSTOM',
    );
    expect(authorized.length).toBeGreaterThan(4);
    for (const method of authorized) expect(props(method).ApiKeyRequired).toBe(false);
  });

  it('lets API Gateway invoke each API function only once the function exists (permissions wait for it)', () => {
    const permissions = Object.values(
      api.findResources('AWS::Lambda::Permission', {
        Properties: { Principal: 'apigateway.amazonaws.com' },
      }) as Record<string, { Properties: Record<string, unknown>; DependsOn?: string[] }>,
    ).filter((permission) =>
      [apiFunctionArnByName, adminFunctionArnByName].includes(render(permission.Properties.FunctionName)),
    );
    const methodCount = methods().size;
    // One per method, each on the function its integration names.
    expect(permissions).toHaveLength(methodCount);
    for (const permission of permissions) {
      const target = render(permission.Properties.FunctionName);
      expect([apiFunctionArnByName, adminFunctionArnByName]).toContain(target);
      expect(permission.DependsOn ?? []).toContain(
        target === apiFunctionArnByName ? apiFunctionId : adminFunctionId,
      );
      expect(render(permission.Properties.SourceArn)).toContain(`\${${restApiId}}`);
    }
  });

  it('accepts TLS 1.2 and 1.3 only, with an enhanced (FIPS) policy and STRICT endpoint access (issue 19 item 2)', () => {
    api.hasResourceProperties('AWS::ApiGateway::RestApi', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
    const legacy = synthesize({ context: { apiSecurityPolicy: 'TLS_1_2' } }).templates.api;
    const [, restApi] = onlyResource(legacy, 'AWS::ApiGateway::RestApi');
    expect(props(restApi).SecurityPolicy).toBe('TLS_1_2');
    expect(props(restApi).EndpointAccessMode).toBeUndefined();
  });

  it('creates the execution log group itself, encrypted and kept at least a year, before the stage (issue 19 item 7)', () => {
    const groups = Object.entries(resourcesOfType(api, 'AWS::Logs::LogGroup')).filter(([, g]) =>
      render(props(g).LogGroupName).startsWith('API-Gateway-Execution-Logs_'),
    );
    expect(groups).toHaveLength(1);
    const [groupId, group] = groups[0]!;
    expect(render(props(group).LogGroupName)).toBe(`API-Gateway-Execution-Logs_\${${restApiId}}/dev`);
    expect(props(group).KmsKeyId).toBeDefined();
    expect(props(group).RetentionInDays as number).toBeGreaterThanOrEqual(MIN_LOG_RETENTION_DAYS);
    expect(group.DeletionPolicy).toBe('Retain');
    expect((stage as { DependsOn?: string[] }).DependsOn ?? []).toContain(groupId);
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

  it('is named in the admin API function environment (USAGE_PLAN_ID) and in a stack output', () => {
    const apiFunction = resourcesOfType(api, 'AWS::Lambda::Function')[adminFunctionId]!;
    const variables = (props(apiFunction).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.USAGE_PLAN_ID).toEqual({ Ref: usagePlanId });
    const outputs = Object.values(api.findOutputs('*')) as Array<{ Value: unknown }>;
    expect(outputs.map((output) => output.Value)).toContainEqual({ Ref: usagePlanId });
  });
});

describe('usage-plan keys: what the admin API function may do in API Gateway', () => {
  const apiFunctionRoleId = render(
    props(resourcesOfType(api, 'AWS::Lambda::Function')[adminFunctionId]!).Role,
  ).replace(/^\$\{(\w+)\.Arn\}$/, '$1');
  const apigatewayStatements = statementsOfRole(api, apiFunctionRoleId).filter((statement) =>
    asArray(statement.Action).some((action) => action.toLowerCase().startsWith('apigateway:')),
  );
  const arn = (path: string) => `arn:\${AWS::Partition}:apigateway:\${AWS::Region}::${path}`;

  it('is exactly POST on /apikeys and on this plan\u2019s keys, and DELETE on /apikeys/*, tagged (issue 19 item 3)', () => {
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
    const bySid = (sid: string) => apigatewayStatements.find((statement) => statement.Sid === sid)?.Condition;
    expect(bySid('CreateTaggedApiKeys')).toEqual({
      StringEquals: { 'aws:RequestTag/application': 'wso-custody', 'aws:RequestTag/stage': 'dev' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['application', 'stage'] },
    });
    expect(bySid('DeleteTaggedApiKeys')).toEqual({
      StringEquals: { 'aws:ResourceTag/application': 'wso-custody', 'aws:ResourceTag/stage': 'dev' },
    });
  });

  it('never lets a function read key values back (no apigateway:GET) or change the plan', () => {
    for (const { statement } of identityStatements(api)) {
      expect(allows(statement, 'apigateway:GET')).toBe(false);
      expect(allows(statement, 'apigateway:PATCH')).toBe(false);
    }
  });

  it('is granted to the admin API function only, not the tenant-facing API function or the authorizer', () => {
    const tenantRoleId = render(
      props(resourcesOfType(api, 'AWS::Lambda::Function')[apiFunctionId]!).Role,
    ).replace(/^\$\{(\w+)\.Arn\}$/, '$1');
    for (const statement of statementsOfRole(api, tenantRoleId)) {
      expect(allows(statement, 'apigateway:POST')).toBe(false);
      expect(allows(statement, 'apigateway:DELETE')).toBe(false);
    }
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
      'AWS/AWSManagedRulesAnonymousIpList',
      'AWS/AWSManagedRulesCommonRuleSet',
      'AWS/AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    const rate = rules.find((rule) => rule.Name === 'RateLimitPerIp');
    expect(rate?.Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'IP',
      Limit: RATE_LIMIT_PER_IP_5_MIN,
    });
  });

  it('limits requests without credentials per IP far tighter (issue 19 item 8)', () => {
    const rules = props(webAcl).Rules as Array<{
      Name: string;
      Statement: Record<string, Record<string, unknown>>;
    }>;
    const rate = rules.find((rule) => rule.Name === 'RateLimitUnauthenticatedPerIp');
    expect(rate?.Statement.RateBasedStatement).toMatchObject({
      AggregateKeyType: 'IP',
      Limit: UNAUTHENTICATED_RATE_LIMIT_PER_IP_5_MIN,
      ScopeDownStatement: {
        NotStatement: {
          Statement: {
            SizeConstraintStatement: expect.objectContaining({
              FieldToMatch: { SingleHeader: { Name: 'authorization' } },
            }),
          },
        },
      },
    });
    expect(UNAUTHENTICATED_RATE_LIMIT_PER_IP_5_MIN).toBeLessThan(RATE_LIMIT_PER_IP_5_MIN);
  });

  it('refuses to deploy with FIPS endpoints in a Region without them (issue 19 item 2)', () => {
    const fipsRule = (template: typeof api) =>
      (template.toJSON().Rules as Record<string, { Assertions: Array<{ Assert: unknown }> }> | undefined)
        ?.FipsEndpointsInThisRegion;
    expect(JSON.stringify(fipsRule(api)?.Assertions[0]?.Assert)).toContain('us-gov-west-1');
    expect(fipsRule(synthesize({ context: { fipsEndpoints: false } }).templates.api)).toBeUndefined();
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

  it('are wired into the two API functions only', () => {
    expect(wso.api.apiFunction.bundledFiles).toEqual(DASHBOARD_ASSET_FILES);
    expect(wso.api.adminApiFunction.bundledFiles).toEqual(DASHBOARD_ASSET_FILES);
    expect(wso.api.authorizerFunction.bundledFiles).toEqual([]);
  });
});
