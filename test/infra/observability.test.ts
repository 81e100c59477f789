import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SWEEPER_CATCHES_PERIODS } from '../../infra/stacks/observability-stack.ts';
import { CUSTODY_METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '../../shared/observability/metrics.ts';
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

function alarmProps(suffix: string): Record<string, unknown> {
  const found = Object.values(resourcesOfType(observability, 'AWS::CloudWatch::Alarm')).find(
    (a) => props(a).AlarmName === `${names.stackPrefix}-${suffix}`,
  );
  if (found === undefined) throw new Error(`no alarm ${suffix}`);
  return props(found);
}

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

  it.each([
    ['StreamFailuresNotEmpty', /StreamFailures/],
    ['WebhookDlqNotEmpty', /WebhookDlq/],
  ])('%s fires on the first message in its queue', (suffix, queueRef) => {
    expect(alarm(suffix)).toMatchObject({
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      threshold: 0,
      comparison: 'GreaterThanThreshold',
    });
    expect(alarm(suffix).dimensions.QueueName).toMatch(queueRef);
  });

  it('HoldsOverdue fires on the first hold that becomes OVERDUE (THE alarm)', () => {
    expect(alarm('HoldsOverdue')).toMatchObject({
      namespace: METRICS_NAMESPACE,
      metric: CUSTODY_METRICS.holdsOverdue,
      dimensions: { service: METRICS_SERVICE },
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      missing: 'notBreaching',
    });
    expect(alarmProps('HoldsOverdue')).toMatchObject({ Statistic: 'Sum', Period: 60, EvaluationPeriods: 1 });
  });

  it('SweeperCatchesSustained fires when the sweeper catches steps in consecutive periods', () => {
    expect(alarm('SweeperCatchesSustained')).toMatchObject({
      namespace: METRICS_NAMESPACE,
      metric: CUSTODY_METRICS.sweeperCatches,
      dimensions: { service: METRICS_SERVICE },
      threshold: 0,
      comparison: 'GreaterThanThreshold',
    });
    expect(alarmProps('SweeperCatchesSustained')).toMatchObject({
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: SWEEPER_CATCHES_PERIODS,
      DatapointsToAlarm: SWEEPER_CATCHES_PERIODS,
    });
    expect(SWEEPER_CATCHES_PERIODS).toBeGreaterThan(1);
  });

  it.each([
    ['WebhookDeliveryFailures', CUSTODY_METRICS.webhookDeliveryFailures],
    ['UsagePlanKeyCleanupFailures', CUSTODY_METRICS.usagePlanKeyCleanupFailures],
  ])('%s fires on the first failure the functions count', (suffix, metric) => {
    expect(alarm(suffix)).toMatchObject({
      namespace: METRICS_NAMESPACE,
      metric,
      dimensions: { service: METRICS_SERVICE },
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      missing: 'notBreaching',
    });
    expect(alarmProps(suffix)).toMatchObject({ Statistic: 'Sum', Period: 300 });
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
    // 24, and the daily jobs' two (issue 17, test/infra/daily-jobs.test.ts).
    expect(alarms).toHaveLength(26);
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

  it('shows the status of every alarm and the custody metrics', () => {
    const [, dashboard] = onlyResource(observability, 'AWS::CloudWatch::Dashboard');
    const body = render(props(dashboard).DashboardBody);
    const alarmIds = Object.keys(resourcesOfType(observability, 'AWS::CloudWatch::Alarm'));
    expect(alarmIds).toHaveLength(26);
    for (const id of alarmIds) expect(body, id).toContain(`\${${id}.Arn}`);
    for (const metric of [
      CUSTODY_METRICS.holdsOpened,
      CUSTODY_METRICS.holdsOverdue,
      CUSTODY_METRICS.holdTransitions,
      CUSTODY_METRICS.sweeperCatches,
      CUSTODY_METRICS.timerLatenessSeconds,
      CUSTODY_METRICS.webhookDeliveryFailures,
      CUSTODY_METRICS.usagePlanKeyCleanupFailures,
    ]) {
      expect(body, metric).toContain(`"${METRICS_NAMESPACE}","${metric}"`);
    }
  });
});
