import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { HOLD_STATUSES } from '../../shared/domain/hold.ts';
import {
  CUSTODY_METRICS,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  TRANSITION_DIMENSION,
} from '../../shared/observability/metrics.ts';
import type { AppConfig } from '../config.ts';
import { appKey } from '../constructs/key-policy.ts';
import type { ResourceNames } from '../naming.ts';

/** API 5xx answers in five minutes before someone is paged; single blips are left to retries. */
export const API_5XX_THRESHOLD = 5;
/**
 * The sweeper catching a step now and then is what it is for (a schedule a minute late); catching
 * steps in three consecutive 5-minute periods means timers are failing.
 */
export const SWEEPER_CATCHES_PERIODS = 3;

/** A custody metric as published by shared/observability/metrics.ts (namespace and service fixed). */
export function custodyMetric(
  metricName: string,
  options: { statistic?: string; period?: Duration; dimensions?: Record<string, string> } = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE, ...options.dimensions },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.minutes(1),
  });
}

export interface ObservedFunctions {
  readonly api: lambda.IFunction;
  readonly adminApi: lambda.IFunction;
  readonly authorizer: lambda.IFunction;
  readonly holdTimer: lambda.IFunction;
  readonly sweeper: lambda.IFunction;
  readonly stream: lambda.IFunction;
  readonly webhookSender: lambda.IFunction;
}

export interface ObservabilityStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly config: AppConfig;
  readonly stage: apigateway.Stage;
  readonly functions: ObservedFunctions;
  readonly schedulerDlq: sqs.IQueue;
  readonly holdTimerFailures: sqs.IQueue;
  readonly streamFailures: sqs.IQueue;
  readonly webhookQueue: sqs.IQueue;
  readonly webhookDlq: sqs.IQueue;
  readonly table: dynamodb.ITable;
  /** The web ACL's name when WAF is on (its blocked requests are alarmed). */
  readonly webAclName?: string;
}

/** API 4xx answers in five minutes that suggest probing or a broken integration, not ordinary misuse. */
export const API_4XX_SPIKE_THRESHOLD = 500;
/** Requests WAF blocked in five minutes before someone looks (a flood, or a rule blocking a vendor). */
export const WAF_BLOCKS_THRESHOLD = 100;
/** Stream records older than this mean webhooks and report counters lag behind the table. */
export const STREAM_ITERATOR_AGE_MS = 5 * 60_000;

/**
 * Alarms on everything that can make a hold miss its deadline or lose a fact (a message in either
 * timer failure queue, timer or sweeper errors, a sweeper that stopped running, API 5xx), an SNS
 * topic that e-mails them, and one dashboard.
 */
export class ObservabilityStack extends Stack {
  readonly alarmTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly alarmNamePrefix: string;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { names, functions } = props;
    this.alarmNamePrefix = names.stackPrefix;
    const fiveMinutes = Duration.minutes(5);

    this.alarmTopic = this.createAlarmTopic(names, props.config.alarmEmail);
    const minute = Duration.minutes(1);

    const schedulerDlqAlarm = this.alarm('SchedulerDlqNotEmpty', {
      description:
        'EventBridge Scheduler could not invoke the hold-timer function: a hold step relies on the sweeper now',
      metric: props.schedulerDlq.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: 'Maximum',
      }),
      threshold: 0,
    });
    const timerFailuresAlarm = this.alarm('HoldTimerFailuresNotEmpty', {
      description: 'The hold-timer function failed after all Lambda retries (async on-failure destination)',
      metric: props.holdTimerFailures.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: 'Maximum',
      }),
      threshold: 0,
    });
    const streamFailuresAlarm = this.alarm('StreamFailuresNotEmpty', {
      description:
        'Table stream records failed every retry: outbox webhooks or report counters were not processed',
      metric: props.streamFailures.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: 'Maximum',
      }),
      threshold: 0,
    });
    const webhookDlqAlarm = this.alarm('WebhookDlqNotEmpty', {
      description: 'A webhook delivery was dead-lettered (out of attempts, or crashing the sender)',
      metric: props.webhookDlq.metricApproximateNumberOfMessagesVisible({
        period: minute,
        statistic: 'Maximum',
      }),
      threshold: 0,
    });
    // THE alarm (DESIGN.md §3): a hold reached its deadline without a transfer or a release.
    const holdsOverdueAlarm = this.alarm('HoldsOverdue', {
      description:
        'A hold became OVERDUE: it reached its deadline without transfer or release (escalate now)',
      metric: custodyMetric(CUSTODY_METRICS.holdsOverdue, { period: minute }),
      threshold: 0,
    });
    const sweeperCatchesAlarm = this.alarm('SweeperCatchesSustained', {
      description: `The sweeper performed hold steps in ${SWEEPER_CATCHES_PERIODS} consecutive 5-minute periods: hold timers are failing`,
      metric: custodyMetric(CUSTODY_METRICS.sweeperCatches, { period: Duration.minutes(5) }),
      threshold: 0,
      evaluationPeriods: SWEEPER_CATCHES_PERIODS,
    });
    const api5xxAlarm = this.alarm('Api5xx', {
      description: `At least ${API_5XX_THRESHOLD} API 5xx responses in 5 minutes`,
      metric: props.stage.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: API_5XX_THRESHOLD - 1,
    });
    const timerErrorsAlarm = this.alarm('HoldTimerErrors', {
      description: 'The hold-timer function threw: a release-due or overdue step may be late',
      metric: functions.holdTimer.metricErrors({ period: minute, statistic: 'Sum' }),
      threshold: 0,
    });
    const sweeperErrorsAlarm = this.alarm('SweeperErrors', {
      description: 'The backstop sweeper threw: overdue steps are not being caught',
      metric: functions.sweeper.metricErrors({ period: minute, statistic: 'Sum' }),
      threshold: 0,
    });
    // A county's receiver refused every retry of an event: the county did not hear about a change.
    const webhookFailuresAlarm = this.alarm('WebhookDeliveryFailures', {
      description: 'A webhook delivery exhausted its retries (the event is in the webhook DLQ; redeliver it)',
      metric: custodyMetric(CUSTODY_METRICS.webhookDeliveryFailures, { period: Duration.minutes(5) }),
      threshold: 0,
    });
    // An API Gateway key outlived a failed key issuance: unusable, but it counts towards the quota.
    const usagePlanKeyCleanupAlarm = this.alarm('UsagePlanKeyCleanupFailures', {
      description: 'An API Gateway key could not be deleted after a failed key issuance or a revocation',
      metric: custodyMetric(CUSTODY_METRICS.usagePlanKeyCleanupFailures, { period: Duration.minutes(5) }),
      threshold: 0,
    });
    // The backstop "cannot be skipped" (DESIGN.md §3): silence from it is an incident too.
    const sweeperStoppedAlarm = this.alarm('SweeperNotRunning', {
      description: 'The sweeper has not been invoked for 5 minutes',
      metric: functions.sweeper.metricInvocations({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    // Issue 19 item 7: attacks and degradation that do not show as 5xx.
    const authorizerErrorsAlarm = this.alarm('AuthorizerErrors', {
      description:
        'The API key authorizer failed (not a refused key: an error): callers get 500s at the edge',
      metric: functions.authorizer.metricErrors({ period: minute, statistic: 'Sum' }),
      threshold: 0,
    });
    const api4xxAlarm = this.alarm('Api4xxSpike', {
      description: `More than ${API_4XX_SPIKE_THRESHOLD} API 4xx answers in 5 minutes: key guessing, tenant probing or a broken integration`,
      metric: props.stage.metricClientError({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: API_4XX_SPIKE_THRESHOLD,
    });
    const iteratorAgeAlarm = this.alarm('StreamIteratorAge', {
      description: 'Table stream records wait more than 5 minutes: webhooks and report counters lag',
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: functions.stream.functionName },
        statistic: 'Maximum',
        period: minute,
      }),
      threshold: STREAM_ITERATOR_AGE_MS,
      evaluationPeriods: 5,
    });
    // Reserved concurrency caps the API and floors the timers: a throttle means the cap was reached.
    const throttleAlarms = (
      [
        ['HoldTimerThrottles', functions.holdTimer, 'the hold-timer: deadline steps wait for retries'],
        ['SweeperThrottles', functions.sweeper, 'the sweeper: the backstop is not running'],
        ['ApiThrottles', functions.api, 'the API function: its concurrency cap is reached'],
        ['AdminApiThrottles', functions.adminApi, 'the admin API function: its concurrency cap is reached'],
        ['AuthorizerThrottles', functions.authorizer, 'the authorizer: its concurrency cap is reached'],
      ] as const
    ).map(([id, fn, what]) =>
      this.alarm(id, {
        description: `Lambda throttled ${what}`,
        metric: fn.metricThrottles({ period: minute, statistic: 'Sum' }),
        threshold: 0,
      }),
    );
    const wafAlarms =
      props.webAclName === undefined
        ? []
        : [
            this.alarm('WafBlocks', {
              description: `WAF blocked more than ${WAF_BLOCKS_THRESHOLD} requests in 5 minutes`,
              metric: new cloudwatch.Metric({
                namespace: 'AWS/WAFV2',
                metricName: 'BlockedRequests',
                dimensionsMap: { WebACL: props.webAclName, Region: this.region, Rule: 'ALL' },
                statistic: 'Sum',
                period: fiveMinutes,
              }),
              threshold: WAF_BLOCKS_THRESHOLD,
            }),
          ];

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: names.dashboard,
      defaultInterval: Duration.hours(6),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        width: 24,
        alarms: [
          schedulerDlqAlarm,
          timerFailuresAlarm,
          timerErrorsAlarm,
          sweeperErrorsAlarm,
          sweeperStoppedAlarm,
          api5xxAlarm,
          holdsOverdueAlarm,
          sweeperCatchesAlarm,
          streamFailuresAlarm,
          webhookDlqAlarm,
          webhookFailuresAlarm,
          usagePlanKeyCleanupAlarm,
          authorizerErrorsAlarm,
          api4xxAlarm,
          iteratorAgeAlarm,
          ...throttleAlarms,
          ...wafAlarms,
        ],
      }),
    );
    this.dashboard.addWidgets(
      graph('Holds opened and overdue', [
        custodyMetric(CUSTODY_METRICS.holdsOpened, { period: Duration.minutes(5) }),
        custodyMetric(CUSTODY_METRICS.holdsOverdue, { period: Duration.minutes(5) }),
      ]),
      graph(
        'Hold transitions by new status',
        HOLD_STATUSES.map((status) =>
          custodyMetric(CUSTODY_METRICS.holdTransitions, {
            period: Duration.minutes(5),
            dimensions: { [TRANSITION_DIMENSION]: status },
          }),
        ),
      ),
      graph('Sweeper catches and timer lateness (s, p99)', [
        custodyMetric(CUSTODY_METRICS.sweeperCatches, { period: Duration.minutes(5) }),
        custodyMetric(CUSTODY_METRICS.timerLatenessSeconds, {
          statistic: 'p99',
          period: Duration.minutes(5),
        }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('API requests and errors', [
        props.stage.metricCount({ statistic: 'Sum' }),
        props.stage.metricClientError({ statistic: 'Sum' }),
        props.stage.metricServerError({ statistic: 'Sum' }),
      ]),
      graph('API latency p99 (ms)', [
        props.stage.metricLatency({ statistic: 'p99' }),
        props.stage.metricIntegrationLatency({ statistic: 'p99' }),
      ]),
      graph('Failure queues and DLQs (messages)', [
        props.schedulerDlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
        props.holdTimerFailures.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
        props.streamFailures.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
        props.webhookDlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
      ]),
    );
    const fns = Object.values(functions);
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        fns.map((fn) => fn.metricErrors({ statistic: 'Sum' })),
      ),
      graph(
        'Function throttles',
        fns.map((fn) => fn.metricThrottles({ statistic: 'Sum' })),
      ),
      graph(
        'Function duration p99 (ms)',
        fns.map((fn) => fn.metricDuration({ statistic: 'p99' })),
      ),
    );
    this.dashboard.addWidgets(
      graph('Sweeper and timer invocations', [
        functions.sweeper.metricInvocations({ statistic: 'Sum' }),
        functions.holdTimer.metricInvocations({ statistic: 'Sum' }),
      ]),
      graph('DynamoDB throttled requests', [
        props.table.metricThrottledRequestsForOperations({ statistic: 'Sum' }),
      ]),
      graph('DynamoDB conditional check failures (lost races, by design)', [
        props.table.metricConditionalCheckFailedRequests({ statistic: 'Sum' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Stream iterator age (ms, max)', [
        new cloudwatch.Metric({
          namespace: 'AWS/Lambda',
          metricName: 'IteratorAge',
          dimensionsMap: { FunctionName: functions.stream.functionName },
          statistic: 'Maximum',
        }),
      ]),
      graph('Webhook queue: waiting and oldest (s)', [
        props.webhookQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }),
        props.webhookQueue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum' }),
      ]),
      graph('Webhook deliveries failed and API Gateway keys left behind', [
        custodyMetric(CUSTODY_METRICS.webhookDeliveryFailures, { period: Duration.minutes(5) }),
        custodyMetric(CUSTODY_METRICS.usagePlanKeyCleanupFailures, { period: Duration.minutes(5) }),
      ]),
    );
  }

  /**
   * CloudWatch publishes to an encrypted topic only if the key policy lets the CloudWatch service
   * use it (an AWS managed SNS key cannot be shared that way), hence a key of its own.
   */
  private createAlarmTopic(names: ResourceNames, alarmEmail: string | undefined): sns.Topic {
    const key = appKey(this, 'AlarmTopicKey', {
      description: 'WSO custody alarm topic',
      alias: `alias/${names.stackPrefix}-alarms`,
      serviceUse: [
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchAlarmsOfThisAccount',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      ],
    });
    const topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: names.alarmTopic,
      displayName: `WSO custody ${names.stackPrefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (alarmEmail !== undefined) topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
    return topic;
  }

  private alarm(id: string, options: AlarmOptions): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.alarmNamePrefix}-${id}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: options.evaluationPeriods ?? 1,
      comparisonOperator: options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // Queues and functions report nothing while idle: idle is healthy unless said otherwise.
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}

interface AlarmOptions {
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  /** Consecutive breaching periods before the alarm fires (all of them must breach). Default 1. */
  readonly evaluationPeriods?: number;
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

function graph(title: string, metrics: cloudwatch.IMetric[]): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: 8 });
}
