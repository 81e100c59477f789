import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
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

const { templates, allTemplates, names } = synthesize();
const timers = templates.timers;

const holdTimerArn = `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${names.holdTimerFunction}`;

function logicalIdOf(type: string, predicate: (properties: Record<string, unknown>) => boolean): string {
  const match = Object.entries(resourcesOfType(timers, type)).find(([, r]) => predicate(props(r)));
  if (match === undefined) throw new Error(`no matching ${type}`);
  return match[0];
}

const schedulerRoleId = logicalIdOf('AWS::IAM::Role', (p) =>
  JSON.stringify(p.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
);
const schedulerDlqId = logicalIdOf('AWS::SQS::Queue', (p) => p.QueueName === names.schedulerDlq);
const failuresId = logicalIdOf('AWS::SQS::Queue', (p) => p.QueueName === names.holdTimerFailureQueue);
const holdTimerId = logicalIdOf('AWS::Lambda::Function', (p) => p.FunctionName === names.holdTimerFunction);
const sweeperId = logicalIdOf('AWS::Lambda::Function', (p) => p.FunctionName === names.sweeperFunction);

describe('Scheduler schedule group', () => {
  it('is the one holds group, kept if the stack is deleted', () => {
    const [groupId, group] = onlyResource(timers, 'AWS::Scheduler::ScheduleGroup');
    expect(props(group).Name).toBe(names.scheduleGroup);
    expect(names.scheduleGroup).toMatch(/^[0-9a-zA-Z\-_.]{1,64}$/);
    expect(group.DeletionPolicy).toBe('Retain');
    expect(groupId).toBeTruthy();
  });
});

describe('Scheduler execution role', () => {
  it('trusts only scheduler.amazonaws.com for schedules of this account and group', () => {
    const role = resourcesOfType(timers, 'AWS::IAM::Role')[schedulerRoleId]!;
    const [groupId] = onlyResource(timers, 'AWS::Scheduler::ScheduleGroup');
    expect(props(role).AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } },
          },
        },
      ],
    });
    expect(props(role).ManagedPolicyArns).toBeUndefined();
    expect(props(role).Policies).toBeUndefined();
  });

  it('may invoke the hold-timer function and nothing else', () => {
    const statements = statementsOfRole(timers, schedulerRoleId);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const lambdaStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('lambda:')));
    expect(lambdaStatements).toHaveLength(1);
    expect(asArray(lambdaStatements[0]!.Action)).toEqual(['lambda:InvokeFunction']);
    expect(asArray(lambdaStatements[0]!.Resource).map(render)).toEqual([holdTimerArn]);
  });

  it('may otherwise only deliver to the Scheduler DLQ (and use its key to encrypt)', () => {
    const others = statementsOfRole(timers, schedulerRoleId).filter(
      (s) => !asArray(s.Action).includes('lambda:InvokeFunction'),
    );
    const byAction = Object.fromEntries(
      others.flatMap((s) => asArray(s.Action).map((a) => [a, asArray(s.Resource).map(render)])),
    );
    expect(Object.keys(byAction).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'sqs:SendMessage']);
    expect(byAction['sqs:SendMessage']).toEqual([`\${${schedulerDlqId}.Arn}`]);
    const queueKey = render(
      props(resourcesOfType(timers, 'AWS::SQS::Queue')[schedulerDlqId]!).KmsMasterKeyId,
    );
    expect(byAction['kms:GenerateDataKey']).toEqual([queueKey]);
  });

  it('is the only principal in the app allowed to invoke the hold-timer function', () => {
    const invokers = allTemplates
      .flatMap((template) => identityStatements(template))
      .filter(({ statement }) => allows(statement, 'lambda:InvokeFunction'))
      // The daily jobs' Scheduler role invokes its own function only (test/infra/daily-jobs.test.ts).
      .filter(({ statement }) =>
        asArray(statement.Resource)
          .map(render)
          .some((resource) => resource === holdTimerArn || resource.includes('*')),
      );
    expect(invokers.map((invoker) => invoker.logicalId)).toEqual([
      expect.stringMatching(/^SchedulerRoleDefaultPolicy/),
    ]);
    // No resource-based permission (API Gateway, EventBridge, ...) on the hold-timer either.
    const permissions = allTemplates.flatMap((t) =>
      Object.values(resourcesOfType(t, 'AWS::Lambda::Permission')),
    );
    const onHoldTimer = permissions.filter((p) => render(props(p).FunctionName).includes(holdTimerId));
    expect(onHoldTimer).toEqual([]);
  });
});

describe('failure queues', () => {
  it.each([
    ['Scheduler DLQ', () => schedulerDlqId],
    ['hold-timer on-failure queue', () => failuresId],
  ])('%s is KMS-encrypted with a rotating key, keeps 14 days and refuses plain HTTP', (_, id) => {
    const queue = resourcesOfType(timers, 'AWS::SQS::Queue')[id()]!;
    expect(props(queue).MessageRetentionPeriod).toBe(14 * 24 * 3600);
    const keyId = render(props(queue).KmsMasterKeyId).replace(/^\$\{(.+)\.Arn\}$/, '$1');
    expect(props(resourcesOfType(timers, 'AWS::KMS::Key')[keyId]!).EnableKeyRotation).toBe(true);
    timers.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id() }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });
});

describe('hold-timer function', () => {
  it('sends failed asynchronous invocations to its on-failure queue after Lambda retries', () => {
    timers.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: holdTimerId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failuresId, 'Arn'] } } },
    });
  });
});

describe('sweeper', () => {
  it('runs every minute, never replaying a failed sweep (the next tick is the retry)', () => {
    timers.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweeperId, 'Arn'] } })],
    });
    timers.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: sweeperId },
      MaximumRetryAttempts: 0,
    });
  });

  it('finishes before the next tick', () => {
    const timeout = props(resourcesOfType(timers, 'AWS::Lambda::Function')[sweeperId]!).Timeout;
    expect(timeout).toBeLessThan(60);
  });
});
