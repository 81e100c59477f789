import { describe, expect, it } from 'vitest';
import { DAILY_JOBS_CRON } from '../../shared/jobs/daily-job.ts';
import { synthesize } from './support/synth.ts';
import { asArray, props, render, resourcesOfType, statementsOfRole } from './support/template-helpers.ts';

const { templates, names } = synthesize();
const timers = templates.timers;

function logicalIdOf(type: string, predicate: (properties: Record<string, unknown>) => boolean): string {
  const match = Object.entries(resourcesOfType(timers, type)).find(([, r]) => predicate(props(r)));
  if (match === undefined) throw new Error(`no matching ${type}`);
  return match[0];
}

const functionId = logicalIdOf('AWS::Lambda::Function', (p) => p.FunctionName === names.dailyJobsFunction);
const queueId = logicalIdOf('AWS::SQS::Queue', (p) => p.QueueName === names.dailyJobsDlq);
const roleId = logicalIdOf('AWS::IAM::Role', (p) => p.RoleName === names.dailyJobsSchedulerRole);
const [, schedule] = Object.entries(resourcesOfType(timers, 'AWS::Scheduler::Schedule')).find(
  ([, r]) => props(r).Name === names.dailyJobsFunction,
) ?? [undefined, undefined];

describe('the daily jobs schedule (issue 17)', () => {
  it('runs the daily-jobs function once a day, UTC, at the run time the local runtime uses', () => {
    expect(schedule).toBeDefined();
    const p = props(schedule!);
    expect(p).toMatchObject({
      ScheduleExpression: DAILY_JOBS_CRON,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
    });
    expect(DAILY_JOBS_CRON).toMatch(/^cron\(\d+ \d+ \* \* \? \*\)$/);
    // The default group: the holds group is for one-shot hold timers only.
    expect(p.GroupName).toBeUndefined();
    const target = p.Target as Record<string, unknown>;
    expect(render(target.Arn)).toBe(`\${${functionId}.Arn}`);
    expect(render(target.RoleArn)).toBe(`\${${roleId}.Arn}`);
    expect(render((target.DeadLetterConfig as { Arn: unknown }).Arn)).toBe(`\${${queueId}.Arn}`);
  });

  it('has an execution role only Scheduler may assume, for this one schedule, that invokes only the daily jobs', () => {
    const role = props(resourcesOfType(timers, 'AWS::IAM::Role')[roleId]!);
    const trust = JSON.stringify(role.AssumeRolePolicyDocument);
    expect(trust).toContain('scheduler.amazonaws.com');
    expect(trust).toContain(`schedule/default/${names.dailyJobsFunction}`);
    const statements = statementsOfRole(timers, roleId);
    const invoke = statements.filter((s) => asArray(s.Action).includes('lambda:InvokeFunction'));
    expect(invoke.map((s) => asArray(s.Resource).map(render))).toEqual([[`\${${functionId}.Arn}`]]);
    const send = statements.filter((s) => asArray(s.Action).includes('sqs:SendMessage'));
    expect(send.map((s) => asArray(s.Resource).map(render))).toEqual([[`\${${queueId}.Arn}`]]);
  });

  it('sends runs that failed every retry to the same failure queue (Scheduler invokes asynchronously)', () => {
    const configs = Object.values(resourcesOfType(timers, 'AWS::Lambda::EventInvokeConfig')).filter((c) =>
      render(props(c).FunctionName).includes(functionId),
    );
    expect(configs).toHaveLength(1);
    const config = props(configs[0]!);
    expect(config.MaximumRetryAttempts).toBe(2);
    expect(render(config.DestinationConfig)).toContain(queueId);
  });

  it('alarms on errors and on the failure queue', () => {
    const alarms = Object.values(resourcesOfType(templates.observability, 'AWS::CloudWatch::Alarm')).map(
      (a) => props(a),
    );
    const named = (suffix: string) => alarms.find((a) => a.AlarmName === `${names.stackPrefix}-${suffix}`);
    expect(named('DailyJobsErrors')).toMatchObject({ MetricName: 'Errors', Threshold: 0 });
    expect(named('DailyJobsFailuresNotEmpty')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
  });
});
