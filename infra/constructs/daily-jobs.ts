import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DAILY_JOBS_CRON } from '../../shared/jobs/daily-job.ts';
import { environmentFor } from '../../shared/runtime/environment.ts';
import { CREDENTIAL_EXPIRY_INDEX, LIFECYCLE_INDEX } from '../../shared/store/table-definition.ts';
import { FUNCTION_ENTRIES } from '../bundling.ts';
import { acknowledge } from '../compliance.ts';
import type { LogLevel } from '../config.ts';
import { CustodyFunction } from './custody-function.ts';
import { FailureQueue } from './failure-queue.ts';
import { grantTableAccess, ITEM_ACTIONS, type ItemAction, type TableRef } from './table-access.ts';

/**
 * What the daily jobs do to the table, all jobs together (functions/daily-jobs/jobs.ts). Credential
 * expiry notices: Query the credential-expiry index, BatchGetItem of the notice markers, then one
 * transaction per notice (a Put of the marker and of the outbox record, a ConditionCheck on the officer).
 * Retention purge: Query the lifecycle index, Query a county's idempotency records (its own
 * partition) and delete the ones keeping person data, read each booking and its audit head, and
 * update the booking with its audit event in one transaction (Update + two Puts).
 */
export const DAILY_JOBS_TABLE_ACTIONS: readonly ItemAction[] = ITEM_ACTIONS;
/** The indexes the daily jobs Query. */
export const DAILY_JOBS_INDEXES: readonly string[] = [
  CREDENTIAL_EXPIRY_INDEX.indexName,
  LIFECYCLE_INDEX.indexName,
];

/** A run may take long (bounded batches over every county); the next one is a day away. */
const RUN_TIMEOUT = Duration.minutes(15);
/** A run that could not start within this long is not worth starting late: the next day's run catches up. */
const MAX_EVENT_AGE = Duration.hours(6);

export interface DailyJobsProps {
  readonly functionName: string;
  /** Queue for runs Scheduler could not invoke and runs that failed every retry. */
  readonly failureQueueName: string;
  /** The execution role Scheduler assumes to invoke the function (named with the app's role prefix). */
  readonly schedulerRoleName: string;
  readonly stage: string;
  readonly logLevel: LogLevel;
  readonly logRetention: logs.RetentionDays;
  readonly logsKey: kms.IKey;
  readonly fipsEndpoints: boolean;
  readonly table: TableRef & { readonly tableName: string };
  /** Encrypts the failure queue (the timers' messaging key). */
  readonly messagingKey: kms.IKey;
}

/**
 * The daily jobs (issue 17): one function run once a day by a recurring EventBridge Scheduler
 * schedule (cron, UTC, in the default group: the holds group is for one-shot hold timers only), with
 * its own execution role that may invoke this function only, one failure queue that is both the
 * schedule's DLQ and the function's asynchronous on-failure destination (Scheduler invokes Lambda
 * asynchronously, DESIGN.md §9), and alarms on errors and on the failure queue.
 */
export class DailyJobs extends Construct {
  readonly function: CustodyFunction;
  readonly failures: sqs.Queue;
  readonly schedulerRole: iam.Role;
  readonly schedule: scheduler.CfnSchedule;

  constructor(scope: Construct, id: string, props: DailyJobsProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.failures = new FailureQueue(this, 'Failures', {
      queueName: props.failureQueueName,
      encryptionKey: props.messagingKey,
      collects: 'the daily jobs schedule and function',
    }).queue;

    this.function = new CustodyFunction(this, 'Function', {
      functionName: props.functionName,
      entry: FUNCTION_ENTRIES.dailyJobs,
      environment: environmentFor('dailyJobs', { TABLE_NAME: props.table.tableName }),
      description: 'Runs the daily jobs: retention purge, credential expiry notices',
      serviceName: 'wso-daily-jobs',
      stage: props.stage,
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      logsKey: props.logsKey,
      fipsEndpoints: props.fipsEndpoints,
      timeout: RUN_TIMEOUT,
      // One run at a time: a retry arriving during a run waits instead of running beside it.
      concurrency: { reserved: 1 },
      asyncInvoke: {
        retryAttempts: 2,
        maxEventAge: MAX_EVENT_AGE,
        onFailure: new SqsDestination(this.failures),
      },
    });
    grantTableAccess(this.function.role, props.table, {
      tableActions: DAILY_JOBS_TABLE_ACTIONS,
      queryIndexes: DAILY_JOBS_INDEXES,
    });

    const scheduleName = props.functionName;
    const scheduleArn = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `default/${scheduleName}`,
    });
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      roleName: props.schedulerRoleName,
      description:
        'EventBridge Scheduler execution role of the daily jobs schedule: invokes only that function',
      // Confused-deputy protection: only this one schedule of this account may use the role.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': scheduleArn },
        },
      }),
    });
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeDailyJobsOnly',
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.function.functionArn],
      }),
    );
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DeliverToDailyJobsFailures',
        actions: ['sqs:SendMessage'],
        resources: [this.failures.queueArn],
      }),
    );
    props.messagingKey.grant(this.schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');

    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      name: scheduleName,
      description: 'Runs the daily jobs once a day',
      scheduleExpression: DAILY_JOBS_CRON,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.function.function.functionArn,
        roleArn: this.schedulerRole.roleArn,
        input: '{}',
        retryPolicy: {
          maximumEventAgeInSeconds: MAX_EVENT_AGE.toSeconds(),
          maximumRetryAttempts: 3,
        },
        deadLetterConfig: { arn: this.failures.queueArn },
      },
    });

    acknowledge(
      this.schedulerRole,
      'NIST.800.53.R5-IAMNoInlinePolicy',
      "The daily jobs Scheduler role's only policy is inline on purpose: it names the one function and " +
        'the one failure queue this role may touch and must never be attachable to another role.',
    );
    acknowledge(
      this.function.function,
      'NIST.800.53.R5-LambdaDLQ',
      'Failed asynchronous invocations go to an SQS on-failure destination (EventInvokeConfig), which ' +
        'supersedes a DeadLetterConfig and also records the error; it is alarmed on its first message.',
    );
  }

  /**
   * The alarms, created in the scope that owns the alarm topic (the observability stack): a run
   * that threw (a job failed; the others still ran, and the log and the DailyJobFailures metric name
   * it), and a run that never happened (Scheduler could not invoke, or every retry failed).
   */
  alarmsIn(
    scope: Construct,
    alarmNamePrefix: string,
    action: cloudwatch.IAlarmAction,
    dashboard: cloudwatch.Dashboard,
  ): cloudwatch.Alarm[] {
    const alarms = [
      new cloudwatch.Alarm(scope, 'DailyJobsErrors', {
        alarmName: `${alarmNamePrefix}-DailyJobsErrors`,
        alarmDescription: 'A daily job failed (retention purge or credential expiry notices); see its logs',
        metric: this.function.function.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      new cloudwatch.Alarm(scope, 'DailyJobsFailuresNotEmpty', {
        alarmName: `${alarmNamePrefix}-DailyJobsFailuresNotEmpty`,
        alarmDescription: 'A daily run could not be invoked or failed every retry: it did not happen today',
        metric: this.failures.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Daily jobs', alarms, width: 24 }));
    return alarms;
  }
}
