import { describe, expect, it } from 'vitest';
import { MIN_LOG_RETENTION_DAYS } from '../../infra/config.ts';
import { DENIED_TABLE_ACTIONS } from '../../infra/constructs/table-access.ts';
import { FUNCTION_ENVIRONMENT, type FunctionName } from '../../shared/runtime/environment.ts';
import { CREDENTIAL_EXPIRY_INDEX, GLOBAL_INDEXES } from '../../shared/store/table-definition.ts';
import { synthesize } from './support/synth.ts';
import {
  allows,
  asArray,
  type CfnResource,
  identityStatements,
  props,
  render,
  resourcesOfType,
  statementsOfRole,
} from './support/template-helpers.ts';

const { templates, allTemplates, names } = synthesize();

const functionTemplates = [templates.api, templates.timers, templates.events];
const functions = functionTemplates.flatMap((template) =>
  Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).map(([logicalId, resource]) => ({
    logicalId,
    template,
    resource,
    name: String(props(resource).FunctionName),
  })),
);

function fn(name: string) {
  const found = functions.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no function named ${name}`);
  return found;
}

function environment(resource: CfnResource): Record<string, string> {
  const variables = (props(resource).Environment as { Variables: Record<string, unknown> }).Variables;
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, render(value)]));
}

const holdTimerArn = `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${names.holdTimerFunction}`;
// AWS_USE_FIPS_ENDPOINT: every SDK client on FIPS endpoints (issue 19 item 2, the fipsEndpoints default).
const BASE_VARIABLES = [
  'AWS_USE_FIPS_ENDPOINT',
  'LOG_LEVEL',
  'NODE_OPTIONS',
  'POWERTOOLS_SERVICE_NAME',
  'STAGE',
  'TABLE_NAME',
];
const SCHEDULE_VARIABLES = ['HOLD_TIMER_ARN', 'SCHEDULER_DLQ_ARN', 'SCHEDULER_ROLE_ARN', 'SCHEDULE_GROUP'];

/**
 * The custom resource function that reads the audit key's public half at deploy time (issue 14):
 * it follows every rule below about runtime, logs, roles and wildcards; rules about the table apply
 * only to the functions that can reach it, and this one cannot.
 */
const publicKeyReader = `${names.stackPrefix}-audit-public-key`;
const tableFunctions = functions.filter((f) => f.name !== publicKeyReader);

describe('every Lambda function', () => {
  it('is one of the platform functions, or the deploy-time public-key reader', () => {
    expect(functions.map((f) => f.name).sort()).toEqual(
      [
        names.apiFunction,
        names.adminApiFunction,
        names.authorizerFunction,
        names.holdTimerFunction,
        names.sweeperFunction,
        names.streamFunction,
        names.webhookSenderFunction,
        `${names.stackPrefix}-sealer`,
        names.dailyJobsFunction,
        publicKeyReader,
      ].sort(),
    );
  });

  it.each(functions.map((f) => [f.name, f] as const))(
    '%s runs nodejs24.x on arm64 with active tracing',
    (_, f) => {
      expect(props(f.resource)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: 512,
        Handler: 'index.handler',
      });
    },
  );

  it.each(functions.map((f) => [f.name, f] as const))(
    '%s logs to its own KMS-encrypted log group kept at least a year',
    (_, f) => {
      const logGroupId = render((props(f.resource).LoggingConfig as { LogGroup: unknown }).LogGroup).slice(
        2,
        -1,
      );
      const logGroup = resourcesOfType(f.template, 'AWS::Logs::LogGroup')[logGroupId];
      expect(logGroup).toBeDefined();
      expect(props(logGroup!).LogGroupName).toBe(`/aws/lambda/${f.name}`);
      expect(props(logGroup!).RetentionInDays).toBeGreaterThanOrEqual(MIN_LOG_RETENTION_DAYS);
      expect(props(logGroup!).KmsKeyId).toBeDefined();
      expect(logGroup!.DeletionPolicy).toBe('Retain');
    },
  );

  it('is granted nothing on Resource "*" but X-Ray, and ListStreams for the stream function (IAM5)', () => {
    for (const f of functions) {
      const roleId = render(props(f.resource).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
      const onEverything = statementsOfRole(f.template, roleId)
        .filter((s) => s.Effect === 'Allow' && asArray(s.Resource).includes('*'))
        .flatMap((s) => asArray(s.Action));
      const expected = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
      // The stream's consumers: the stream function and the audit sealer.
      if ([names.streamFunction, `${names.stackPrefix}-sealer`].includes(f.name)) {
        expected.unshift('dynamodb:ListStreams');
      }
      expect(onEverything.sort(), f.name).toEqual(expected);
    }
  });

  it('has a role that only lambda.amazonaws.com can assume and no AWS managed policy', () => {
    for (const f of functions) {
      const roleId = render(props(f.resource).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
      const role = resourcesOfType(f.template, 'AWS::IAM::Role')[roleId];
      expect(props(role!).ManagedPolicyArns, f.name).toBeUndefined();
      expect(props(role!).AssumeRolePolicyDocument).toMatchObject({
        Statement: [{ Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
    }
  });
});

describe('log retention everywhere', () => {
  it('keeps every log group of the app (functions, access logs, WAF) at least a year', () => {
    const logGroups = allTemplates.flatMap((t) => Object.values(resourcesOfType(t, 'AWS::Logs::LogGroup')));
    expect(logGroups.length).toBeGreaterThanOrEqual(6);
    for (const logGroup of logGroups) {
      expect(props(logGroup).RetentionInDays).toBeGreaterThanOrEqual(MIN_LOG_RETENTION_DAYS);
    }
  });
});

describe('environment variables', () => {
  /** The function each environment definition (shared/runtime/environment.ts) belongs to. */
  const definitionOf: Record<string, FunctionName> = {
    [names.apiFunction]: 'api',
    [names.adminApiFunction]: 'adminApi',
    [names.authorizerFunction]: 'authorizer',
    [names.holdTimerFunction]: 'holdTimer',
    [names.sweeperFunction]: 'sweeper',
    [names.streamFunction]: 'stream',
    [names.webhookSenderFunction]: 'webhookSender',
    [names.dailyJobsFunction]: 'dailyJobs',
  };
  // AWS_USE_FIPS_ENDPOINT is read by the AWS SDK itself (issue 19, the fipsEndpoints context).
  const CONSTRUCT_VARIABLES = [
    'AWS_USE_FIPS_ENDPOINT',
    'LOG_LEVEL',
    'NODE_OPTIONS',
    'POWERTOOLS_SERVICE_NAME',
    'STAGE',
  ];

  it.each(Object.entries(definitionOf))(
    'sets on %s every required variable of its definition and nothing it does not read',
    (name, definition) => {
      const variables = FUNCTION_ENVIRONMENT[definition] as Readonly<Record<string, string>>;
      const env = environment(fn(name).resource);
      for (const [variable, presence] of Object.entries(variables)) {
        if (presence === 'required') expect(env[variable], `${name} ${variable}`).toBeTruthy();
      }
      const unread = Object.keys(env).filter(
        (variable) => !(variable in variables) && !CONSTRUCT_VARIABLES.includes(variable),
      );
      expect(unread, name).toEqual([]);
    },
  );

  it('gives the stream function no Scheduler settings (it never arms a timer)', () => {
    const env = environment(fn(names.streamFunction).resource);
    expect(Object.keys(env).sort()).toEqual([...BASE_VARIABLES, 'WEBHOOK_QUEUE_URL'].sort());
  });

  it('gives the stream and API functions the webhook queue URL (new deliveries, redeliver)', () => {
    for (const name of [names.streamFunction, names.apiFunction]) {
      expect(environment(fn(name).resource).WEBHOOK_QUEUE_URL, name).toMatch(/WebhookQueue/);
    }
  });

  it('gives the API function the table, everything it needs to arm schedules, the queue, the tenant role and the webhook secrets key', () => {
    const env = environment(fn(names.apiFunction).resource);
    expect(Object.keys(env).sort()).toEqual(
      [
        ...BASE_VARIABLES,
        ...SCHEDULE_VARIABLES,
        'TENANT_DATA_ROLE_ARN',
        'WEBHOOK_QUEUE_URL',
        // Issue 19 item 8: a new subscription's signing secret is sealed with it.
        'WEBHOOK_SECRETS_KEY_ID',
        // The hold board page sends a person without a session to sign in (issue 18).
        'SIGN_IN_BASE_URL',
        'SIGN_IN_CLIENT_ID',
        'SIGN_IN_ISSUER',
      ].sort(),
    );
    expect(env.AWS_USE_FIPS_ENDPOINT).toBe('true');
    expect(env).toMatchObject({
      STAGE: 'dev',
      SCHEDULE_GROUP: names.scheduleGroup,
      HOLD_TIMER_ARN: holdTimerArn,
    });
  });

  it('gives the admin API function the usage plan (key issuance) besides what the API function has', () => {
    const env = environment(fn(names.adminApiFunction).resource);
    expect(Object.keys(env).sort()).toEqual(
      [
        ...BASE_VARIABLES,
        ...SCHEDULE_VARIABLES,
        'AUDIT_BUCKET',
        'AUDIT_KEY_ID',
        'TENANT_DATA_ROLE_ARN',
        'USAGE_PLAN_ID',
        'WEBHOOK_QUEUE_URL',
        // People's sign-in to the pages (issue 18, test/infra/sign-in.test.ts).
        'SIGN_IN_BASE_URL',
        'SIGN_IN_CLIENT_ID',
        'SIGN_IN_ISSUER',
      ].sort(),
    );
  });

  it.each([names.authorizerFunction, names.dailyJobsFunction])('gives %s the table only', (name) => {
    expect(Object.keys(environment(fn(name).resource)).sort()).toEqual(BASE_VARIABLES);
  });

  it.each([names.holdTimerFunction, names.sweeperFunction])('gives %s the schedule settings', (name) => {
    const env = environment(fn(name).resource);
    expect(Object.keys(env).sort()).toEqual([...BASE_VARIABLES, ...SCHEDULE_VARIABLES].sort());
    expect(env.HOLD_TIMER_ARN).toBe(holdTimerArn);
    expect(env.SCHEDULER_ROLE_ARN).toMatch(/SchedulerRole.*\.Arn\}$/);
    expect(env.SCHEDULER_DLQ_ARN).toMatch(/SchedulerDlq.*\.Arn\}$/);
  });

  it('points HOLD_TIMER_ARN at the hold-timer function itself', () => {
    expect(props(fn(names.holdTimerFunction).resource).FunctionName).toBe(names.holdTimerFunction);
  });
});

describe('least privilege on the table', () => {
  function tableActionsOf(name: string): { table: string[]; indexes: string[] } {
    const f = fn(name);
    const roleId = render(props(f.resource).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
    const statements = statementsOfRole(f.template, roleId).filter((s) => s.Effect === 'Allow');
    const sid = (id: string) => statements.filter((s) => s.Sid === id).flatMap((s) => asArray(s.Action));
    return { table: sid('TableItemAccess').sort(), indexes: sid('IndexQuery') };
  }
  const expected = (actions: string[]) => actions.map((a) => `dynamodb:${a}`).sort();

  it('gives the API function key-item reads only, no index (issue 19 item 1)', () => {
    expect(tableActionsOf(names.apiFunction)).toEqual({
      table: expected(['GetItem', 'BatchGetItem', 'ConditionCheckItem']),
      indexes: [],
    });
  });

  it('gives the admin API function its item actions and Query on the byState index only', () => {
    expect(tableActionsOf(names.adminApiFunction)).toEqual({
      table: expected([
        'GetItem',
        'PutItem',
        'UpdateItem',
        'DeleteItem',
        'Query',
        'TransactWriteItems',
        'ConditionCheckItem',
        'BatchGetItem',
      ]),
      indexes: ['dynamodb:Query'],
    });
  });

  it('lets the authorizer read a key and record its last use, nothing more (page sessions are the API function\u2019s)', () => {
    expect(tableActionsOf(names.authorizerFunction)).toEqual({
      table: expected(['GetItem', 'UpdateItem']),
      indexes: [],
    });
  });

  it('gives the stream function the outbox and report-counter actions, no index', () => {
    expect(tableActionsOf(names.streamFunction)).toEqual({
      table: expected([
        'GetItem',
        'PutItem',
        'UpdateItem',
        'Query',
        'TransactWriteItems',
        'ConditionCheckItem',
      ]),
      indexes: [],
    });
  });

  it('lets the webhook sender read a delivery and record the attempt, nothing more', () => {
    expect(tableActionsOf(names.webhookSenderFunction)).toEqual({
      table: expected(['GetItem', 'UpdateItem']),
      indexes: [],
    });
  });

  it('lets the admin API function query the byState index (oversight reports) and no other', () => {
    const f = fn(names.adminApiFunction);
    const roleId = render(props(f.resource).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
    const indexQuery = statementsOfRole(f.template, roleId).find((s) => s.Sid === 'IndexQuery');
    expect(asArray(indexQuery?.Resource).map((r) => render(r).replace(/^.*\/index\//, ''))).toEqual([
      'byState',
    ]);
  });

  it('lets the daily jobs write notices in transactions and query the credential-expiry index only (issue 17)', () => {
    expect(tableActionsOf(names.dailyJobsFunction)).toEqual({
      table: expected(['BatchGetItem', 'PutItem', 'ConditionCheckItem', 'TransactWriteItems']),
      indexes: ['dynamodb:Query'],
    });
    const f = fn(names.dailyJobsFunction);
    const roleId = render(props(f.resource).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
    const indexQuery = statementsOfRole(f.template, roleId).find((s) => s.Sid === 'IndexQuery');
    expect(asArray(indexQuery?.Resource).map((r) => render(r).replace(/^.*\/index\//, ''))).toEqual([
      CREDENTIAL_EXPIRY_INDEX.indexName,
    ]);
  });

  it('lets only the sweeper query the open-holds index among the timer functions', () => {
    expect(tableActionsOf(names.sweeperFunction).indexes).toEqual(['dynamodb:Query']);
    expect(tableActionsOf(names.holdTimerFunction).indexes).toEqual([]);
  });

  it('denies Scan explicitly to every function role that can reach the table', () => {
    for (const f of tableFunctions) {
      const roleId = render(props(f.resource).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
      const deny = statementsOfRole(f.template, roleId).find((s) => s.Sid === 'NeverScan');
      expect(deny?.Effect, f.name).toBe('Deny');
      expect(asArray(deny?.Action).sort()).toEqual([...DENIED_TABLE_ACTIONS].sort());
      const resources = asArray(deny?.Resource).map(render);
      expect(resources, f.name).toHaveLength(1 + GLOBAL_INDEXES.length);
      for (const index of GLOBAL_INDEXES) {
        expect(resources.some((r) => r.endsWith(`/index/${index.indexName}`))).toBe(true);
      }
    }
  });

  it('detects Scan however it is allowed (the check below is not vacuous)', () => {
    expect(allows({ Effect: 'Allow', Action: '*' }, 'dynamodb:Scan')).toBe(true);
    expect(allows({ Effect: 'Allow', Action: ['dynamodb:S*'] }, 'dynamodb:Scan')).toBe(true);
    expect(allows({ Effect: 'Allow', NotAction: 'dynamodb:GetItem' }, 'dynamodb:Scan')).toBe(true);
    expect(allows({ Effect: 'Allow', Action: 'dynamodb:Query' }, 'dynamodb:Scan')).toBe(false);
    expect(allows({ Effect: 'Deny', Action: 'dynamodb:Scan' }, 'dynamodb:Scan')).toBe(false);
  });

  it('has no IAM statement anywhere in the app that allows dynamodb:Scan', () => {
    const offenders = allTemplates
      .flatMap((template) => identityStatements(template))
      .filter(({ statement }) => allows(statement, 'dynamodb:Scan'));
    expect(offenders).toEqual([]);
  });
});

describe('schedule management', () => {
  const schedulesArn = `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/${names.scheduleGroup}/*`;

  it.each([names.apiFunction, names.holdTimerFunction, names.sweeperFunction])(
    '%s manages schedules of the holds group only and passes only the scheduler role',
    (name) => {
      const f = fn(name);
      const roleId = render(props(f.resource).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
      const statements = statementsOfRole(f.template, roleId);
      const manage = statements.find((s) => s.Sid === 'ManageHoldSchedules');
      expect(asArray(manage?.Action).sort()).toEqual([
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:GetSchedule',
        'scheduler:UpdateSchedule',
      ]);
      expect(render(manage?.Resource)).toBe(schedulesArn);
      const pass = statements.find((s) => s.Sid === 'PassSchedulerRole');
      expect(render(pass?.Resource)).toMatch(/SchedulerRole.*Arn/);
      expect(pass?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    },
  );

  it('gives the authorizer no scheduler or PassRole permission', () => {
    const f = fn(names.authorizerFunction);
    const roleId = render(props(f.resource).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');
    const actions = statementsOfRole(f.template, roleId).flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.startsWith('scheduler:') || a === 'iam:PassRole')).toEqual([]);
  });
});
