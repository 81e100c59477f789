import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { environmentFor } from '../../shared/runtime/environment.ts';
import { OPEN_HOLDS_INDEX } from '../../shared/store/table-definition.ts';
import { FUNCTION_ENTRIES } from '../bundling.ts';
import { acknowledge } from '../compliance.ts';
import type { AppConfig } from '../config.ts';
import { CustodyFunction } from '../constructs/custody-function.ts';
import { DailyJobs } from '../constructs/daily-jobs.ts';
import { FailureQueue } from '../constructs/failure-queue.ts';
import { appKey } from '../constructs/key-policy.ts';
import { grantScheduleManagement } from '../constructs/schedule-access.ts';
import { grantTableAccess, type ItemAction } from '../constructs/table-access.ts';
import { appRolesArnPattern, functionArnFromName, type ResourceNames } from '../naming.ts';

export interface TimersStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly config: AppConfig;
  readonly table: dynamodb.ITable;
  readonly dataKey: kms.IKey;
  readonly logsKey: kms.IKey;
}

/**
 * What the API needs to arm and cancel hold schedules. The hold-timer ARN is not in here: each
 * stack derives it from the fixed function name (naming.ts), which needs no export.
 */
export interface ScheduleTarget {
  readonly scheduleGroupName: string;
  readonly schedulerRole: iam.IRole;
  readonly schedulerDlq: sqs.IQueue;
}

/**
 * Timer steps act on one hold: read it, then one transaction (hold update, audit event, outbox
 * record). The same domain service runs in the timer and in the sweeper, so both get the same set.
 */
const TIMER_STEP_TABLE_ACTIONS: readonly ItemAction[] = [
  'GetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'ConditionCheckItem',
  'TransactWriteItems',
];

/**
 * The hold timers (DESIGN.md §3): one-shot EventBridge Scheduler schedules that invoke the
 * hold-timer function, and the every-minute sweeper that performs any step a lost, failed or
 * never-created schedule missed.
 */
export class TimersStack extends Stack {
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly schedulerDlq: sqs.Queue;
  readonly holdTimerFailures: sqs.Queue;
  readonly holdTimer: CustodyFunction;
  readonly sweeper: CustodyFunction;
  readonly sweepRule: events.Rule;
  /** The daily jobs (issue 17): retention purge, credential expiry notices. */
  readonly dailyJobs: DailyJobs;
  readonly scheduleTarget: ScheduleTarget;

  constructor(scope: Construct, id: string, props: TimersStackProps) {
    super(scope, id, props);
    const { names, config } = props;

    const messagingKey = appKey(this, 'MessagingKey', {
      description: 'WSO custody timer failure queues',
      alias: `alias/${names.stackPrefix}-messaging`,
      roleUse: { principalArns: [appRolesArnPattern(this, names)], viaServices: ['sqs'] },
    });
    this.schedulerDlq = new FailureQueue(this, 'SchedulerDlq', {
      queueName: names.schedulerDlq,
      encryptionKey: messagingKey,
    }).queue;
    this.holdTimerFailures = new FailureQueue(this, 'HoldTimerFailures', {
      queueName: names.holdTimerFailureQueue,
      encryptionKey: messagingKey,
    }).queue;

    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'HoldSchedules', {
      scheduleGroupName: names.scheduleGroup,
      // Deleting a group deletes every live schedule in it: keep it if the stack goes away.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The ARN is derived from the fixed name because the function needs it in its own environment
    // (it re-arms its own schedule); a reference to its own ARN attribute would be a cycle.
    const holdTimerArn = functionArnFromName(this, names.holdTimerFunction);

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      roleName: names.schedulerRole,
      description:
        'EventBridge Scheduler execution role for hold timers: invokes only the hold-timer function',
      // Confused-deputy protection: only schedules of this account's holds group may use the role.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnEquals: { 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn },
        },
      }),
    });

    const timerEnvironment = {
      TABLE_NAME: props.table.tableName,
      SCHEDULE_GROUP: names.scheduleGroup,
      HOLD_TIMER_ARN: holdTimerArn,
      SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      SCHEDULER_DLQ_ARN: this.schedulerDlq.queueArn,
    };
    const common = {
      stage: config.stage,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      logsKey: props.logsKey,
      fipsEndpoints: config.fipsEndpoints,
    };

    this.holdTimer = new CustodyFunction(this, 'HoldTimer', {
      ...common,
      functionName: names.holdTimerFunction,
      entry: FUNCTION_ENTRIES.holdTimer,
      environment: environmentFor('holdTimer', timerEnvironment),
      description: 'Performs a due hold step (release due, overdue) and re-arms the next schedule',
      serviceName: 'wso-hold-timer',
      timeout: Duration.seconds(30),
      // Set aside from the account pool: a burst of API traffic can never starve the deadline steps.
      concurrency: { reserved: config.concurrency.holdTimer },
      // Scheduler invokes Lambda asynchronously: errors inside the function are retried by Lambda
      // and then land in this queue, not in the Scheduler DLQ (DESIGN.md §9). After an hour the
      // sweeper has long performed the step, so older events are not worth retrying.
      asyncInvoke: {
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        onFailure: new SqsDestination(this.holdTimerFailures),
      },
    });

    this.sweeper = new CustodyFunction(this, 'Sweeper', {
      ...common,
      functionName: names.sweeperFunction,
      entry: FUNCTION_ENTRIES.sweeper,
      environment: environmentFor('sweeper', timerEnvironment),
      description: 'Backstop: performs every overdue hold step found in the open-holds index',
      serviceName: 'wso-sweeper',
      // Below the one-minute tick, so sweeps do not pile up behind a slow one.
      timeout: Duration.seconds(50),
      // One sweep a minute, a second one if a sweep overruns: always there, whatever else runs.
      concurrency: { reserved: config.concurrency.sweeper },
      // The next tick is a retry: a failed sweep is not replayed (its alarm is on Errors).
      asyncInvoke: { retryAttempts: 0, maxEventAge: Duration.minutes(1) },
    });

    this.sweepRule = new events.Rule(this, 'SweepEveryMinute', {
      description: 'Runs the hold sweeper every minute',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(this.sweeper.function, {
          retryAttempts: 0,
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });

    this.grantSchedulerRole(holdTimerArn, messagingKey);

    const tableRef = { tableArn: props.table.tableArn, encryptionKey: props.dataKey };
    grantTableAccess(this.holdTimer.role, tableRef, { tableActions: TIMER_STEP_TABLE_ACTIONS });
    grantTableAccess(this.sweeper.role, tableRef, {
      tableActions: TIMER_STEP_TABLE_ACTIONS,
      queryIndexes: [OPEN_HOLDS_INDEX.indexName],
    });
    const scheduleAccess = {
      scheduleGroupName: names.scheduleGroup,
      schedulerRoleArn: this.schedulerRole.roleArn,
    };
    grantScheduleManagement(this.holdTimer.role, scheduleAccess);
    grantScheduleManagement(this.sweeper.role, scheduleAccess);

    this.dailyJobs = new DailyJobs(this, 'DailyJobs', {
      ...common,
      functionName: names.dailyJobsFunction,
      failureQueueName: names.dailyJobsDlq,
      schedulerRoleName: names.dailyJobsSchedulerRole,
      table: { ...tableRef, tableName: props.table.tableName },
      messagingKey,
    });

    this.acknowledgeFindings();

    this.scheduleTarget = {
      scheduleGroupName: names.scheduleGroup,
      schedulerRole: this.schedulerRole,
      schedulerDlq: this.schedulerDlq,
    };
  }

  private acknowledgeFindings(): void {
    acknowledge(
      this.schedulerRole,
      'NIST.800.53.R5-IAMNoInlinePolicy',
      "The Scheduler execution role's only policy is inline on purpose: it names the one function " +
        'and the one DLQ this role may touch and must never be attachable to another role.',
    );
    acknowledge(
      this.holdTimer.function,
      'NIST.800.53.R5-LambdaDLQ',
      'Failed asynchronous invocations go to an SQS on-failure destination (EventInvokeConfig), which ' +
        'supersedes a DeadLetterConfig and also records the error; it is alarmed on its first message.',
    );
    acknowledge(
      this.sweeper.function,
      'NIST.800.53.R5-LambdaDLQ',
      'A failed sweep is not worth replaying: the next one-minute tick sweeps the same index again. ' +
        'Errors and missing invocations of the sweeper are alarmed instead.',
    );
  }

  /**
   * The execution role may invoke the hold-timer function and nothing else, and deliver failed
   * invocations to the Scheduler DLQ (which needs the queue key to encrypt the message).
   */
  private grantSchedulerRole(holdTimerArn: string, messagingKey: kms.IKey): void {
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeHoldTimerOnly',
        actions: ['lambda:InvokeFunction'],
        resources: [holdTimerArn],
      }),
    );
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DeliverToSchedulerDlq',
        actions: ['sqs:SendMessage'],
        resources: [this.schedulerDlq.queueArn],
      }),
    );
    messagingKey.grant(this.schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}
