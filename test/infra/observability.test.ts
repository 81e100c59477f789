import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesize } from './support/synth.ts';
import { onlyResource, props, render, resourcesOfType } from './support/template-helpers.ts';

const { templates, names } = synthesize();
const observability = templates.observability;
const [topicId, topic] = onlyResource(observability, 'AWS::SNS::Topic');

interface AlarmView {
  name: string;
  namespace: string;
  metric: string;
  dimensions: Record<string, string>;
  threshold: number;
  comparison: string;
  missing: string;
  actions: string[];
}

const alarms: AlarmView[] = Object.values(resourcesOfType(observability, 'AWS::CloudWatch::Alarm')).map(
  (alarm) => {
    const p = props(alarm);
    const dimensions = (p.Dimensions as Array<{ Name: string; Value: unknown }> | undefined) ?? [];
    return {
      name: String(p.AlarmName),
      namespace: String(p.Namespace),
      metric: String(p.MetricName),
      dimensions: Object.fromEntries(dimensions.map((d) => [d.Name, render(d.Value)])),
      threshold: Number(p.Threshold),
      comparison: String(p.ComparisonOperator),
      missing: String(p.TreatMissingData),
      actions: (p.AlarmActions as unknown[]).map(render),
    };
  },
);

function alarm(suffix: string): AlarmView {
  const found = alarms.find((a) => a.name === `${names.stackPrefix}-${suffix}`);
  if (found === undefined)
    throw new Error(`no alarm ${suffix}; have ${alarms.map((a) => a.name).join(', ')}`);
  return found;
}

describe('alarms', () => {
  it('fire on the first message in the Scheduler DLQ', () => {
    expect(alarm('SchedulerDlqNotEmpty')).toMatchObject({
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      threshold: 0,
      comparison: 'GreaterThanThreshold',
    });
    expect(alarm('SchedulerDlqNotEmpty').dimensions.QueueName).toMatch(/SchedulerDlq/);
  });

  it('fire on the first message in the hold-timer on-failure queue', () => {
    expect(alarm('HoldTimerFailuresNotEmpty')).toMatchObject({
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      threshold: 0,
      comparison: 'GreaterThanThreshold',
    });
    expect(alarm('HoldTimerFailuresNotEmpty').dimensions.QueueName).toMatch(/HoldTimerFailures/);
  });

  it('fire on API 5xx of the deployed stage', () => {
    const api5xx = alarm('Api5xx');
    expect(api5xx).toMatchObject({ namespace: 'AWS/ApiGateway', metric: '5XXError' });
    expect(api5xx.dimensions.ApiName).toBe(names.restApi);
    expect(api5xx.dimensions.Stage).toBeDefined();
  });

  it.each([
    ['HoldTimerErrors', /HoldTimerFunction/],
    ['SweeperErrors', /SweeperFunction/],
  ])('%s fires on the first error of its function', (suffix, functionRef) => {
    expect(alarm(suffix)).toMatchObject({
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      threshold: 0,
      comparison: 'GreaterThanThreshold',
    });
    expect(alarm(suffix).dimensions.FunctionName).toMatch(functionRef);
  });

  it('fire when the sweeper stops running (missing data counts as breaching)', () => {
    expect(alarm('SweeperNotRunning')).toMatchObject({
      namespace: 'AWS/Lambda',
      metric: 'Invocations',
      comparison: 'LessThanThreshold',
      missing: 'breaching',
    });
  });

  it('all notify the alarm topic', () => {
    expect(alarms).toHaveLength(6);
    for (const a of alarms) expect(a.actions, a.name).toEqual([`\${${topicId}}`]);
  });
});

describe('alarm topic', () => {
  it('is encrypted with a rotating key that CloudWatch may use, and refuses plain HTTP', () => {
    const keyId = render(props(topic).KmsMasterKeyId).replace(/^\$\{(.+)\.Arn\}$/, '$1');
    const key = resourcesOfType(observability, 'AWS::KMS::Key')[keyId];
    expect(props(key!).EnableKeyRotation).toBe(true);
    expect(JSON.stringify(props(key!).KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    observability.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      }),
    });
  });

  it('has no e-mail subscription unless alarmEmail is given', () => {
    observability.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('dashboard', () => {
  it('is one dashboard named after the stage', () => {
    const [, dashboard] = onlyResource(observability, 'AWS::CloudWatch::Dashboard');
    expect(props(dashboard).DashboardName).toBe(names.dashboard);
  });
});
