import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { environmentFor } from '../../shared/runtime/environment.ts';
import { DEFAULT_WEBHOOK_SETTINGS } from '../../shared/webhooks/settings.ts';
import { FUNCTION_ENTRIES } from '../bundling.ts';
import { acknowledge } from '../compliance.ts';
import type { AppConfig } from '../config.ts';
import { AuditSealer } from '../constructs/audit-sealer.ts';
import { CustodyFunction } from '../constructs/custody-function.ts';
import { FailureQueue } from '../constructs/failure-queue.ts';
import { appKey } from '../constructs/key-policy.ts';
import { grantTableAccess, type ItemAction } from '../constructs/table-access.ts';
import { appRolesArnPattern, type ResourceNames } from '../naming.ts';
import type { ScheduleTarget } from './timers-stack.ts';

/** The sender's function timeout: one attempt is bounded by WEBHOOK_TIMEOUT_MS (10 s) per delivery. */
export const WEBHOOK_SENDER_TIMEOUT = Duration.seconds(30);
/** SQS guidance for Lambda consumers: visibility timeout at least six times the function timeout. */
export const WEBHOOK_VISIBILITY_TIMEOUT = Duration.seconds(WEBHOOK_SENDER_TIMEOUT.toSeconds() * 6);
/**
 * The sender dead-letters exhausted deliveries itself after maxAttempts; the redrive policy is the
 * safety net for messages that crash the sender, with 3 receives of slack (shared/webhooks/README.md).
 */
export const WEBHOOK_MAX_RECEIVE_COUNT = DEFAULT_WEBHOOK_SETTINGS.maxAttempts + 3;
/** Messages per sender invocation (README: batch size 10) and sender invocations at once. */
export const WEBHOOK_BATCH_SIZE = 10;
export const WEBHOOK_MAX_CONCURRENCY = 5;

/** The table stream's event source mapping (DESIGN.md §4, §6). */
export const STREAM_SOURCE = {
  batchSize: 100,
  /**
   * Bounded so one poison record cannot block its shard for the stream's 24 h: bisecting a batch of
   * 100 down to the bad record takes 7 retries, the rest absorbs a few minutes of DynamoDB or SQS
   * trouble. Whatever still fails is recorded in the stream failure queue (alarmed).
   */
  retryAttempts: 20,
  maxRecordAge: Duration.hours(24),
} as const;

/** Outbox consumer (subscriptions, delivery records) and report counters (one transaction). */
const STREAM_TABLE_ACTIONS: readonly ItemAction[] = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'Query',
  'TransactWriteItems',
  'ConditionCheckItem',
];

export interface EventsStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly config: AppConfig;
  readonly table: dynamodb.ITable;
  readonly dataKey: kms.IKey;
  readonly logsKey: kms.IKey;
  /** The sender opens sealed webhook signing secrets with it (issue 19 item 8). */
  readonly webhookSecretsKey: kms.IKey;
  readonly schedules: ScheduleTarget;
}

/**
 * What the change stream drives (DESIGN.md §4, §6): the stream function (outbox → webhook
 * deliveries, report counters), the webhook delivery queue with its dead-letter queue, and the
 * webhook-sender function that consumes it.
 */
export class EventsStack extends Stack {
  readonly messagingKey: kms.Key;
  readonly webhookQueue: sqs.Queue;
  readonly webhookDlq: sqs.Queue;
  readonly streamFailures: sqs.Queue;
  readonly streamFunction: CustodyFunction;
  readonly webhookSender: CustodyFunction;
  readonly auditSealer: AuditSealer;

  constructor(scope: Construct, id: string, props: EventsStackProps) {
    super(scope, id, props);
    const { names, config } = props;
    const common = {
      stage: config.stage,
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      logsKey: props.logsKey,
      fipsEndpoints: config.fipsEndpoints,
    };
    const tableRef = { tableArn: props.table.tableArn, encryptionKey: props.dataKey };

    this.messagingKey = appKey(this, 'MessagingKey', {
      description: 'WSO custody webhook delivery queues and stream failures',
      alias: `alias/${names.stackPrefix}-events`,
      roleUse: { principalArns: [appRolesArnPattern(this, names)], viaServices: ['sqs'] },
    });

    this.webhookDlq = new FailureQueue(this, 'WebhookDlq', {
      queueName: names.webhookDlq,
      encryptionKey: this.messagingKey,
      collects: 'webhook deliveries (exhausted by the sender, or crashing it repeatedly)',
    }).queue;
    this.webhookQueue = new sqs.Queue(this, 'WebhookQueue', {
      queueName: names.webhookQueue,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.messagingKey,
      dataKeyReuse: Duration.minutes(15),
      enforceSSL: true,
      // A round waits at most 5 h 41 m in total between attempts; 4 days covers a long outage too.
      retentionPeriod: Duration.days(4),
      visibilityTimeout: WEBHOOK_VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: this.webhookDlq, maxReceiveCount: WEBHOOK_MAX_RECEIVE_COUNT },
      // In-flight deliveries; the records in the table say what was sent, so the queue may go.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.streamFailures = new FailureQueue(this, 'StreamFailures', {
      queueName: names.streamFailureQueue,
      encryptionKey: this.messagingKey,
      collects: 'table stream batches that failed every retry (event source mapping on-failure)',
    }).queue;

    this.streamFunction = new CustodyFunction(this, 'Stream', {
      ...common,
      functionName: names.streamFunction,
      entry: FUNCTION_ENTRIES.stream,
      description: 'Table change stream: outbox records to webhook deliveries, oversight report counters',
      serviceName: 'wso-stream',
      timeout: Duration.seconds(60),
      concurrency: {
        unreserved:
          'Invoked by the table stream only: at most one concurrent batch per stream shard, a bound ' +
          'set by DynamoDB, not by callers; reserving would only take capacity from the timers.',
      },
      // The consumers never arm a timer: no Scheduler settings, no Scheduler permission.
      environment: environmentFor('stream', {
        TABLE_NAME: props.table.tableName,
        WEBHOOK_QUEUE_URL: this.webhookQueue.queueUrl,
      }),
    });
    this.streamFunction.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_SOURCE.batchSize,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: STREAM_SOURCE.retryAttempts,
        maxRecordAge: STREAM_SOURCE.maxRecordAge,
        onFailure: new SqsDlq(this.streamFailures),
      }),
    );
    grantTableAccess(this.streamFunction.role, tableRef, { tableActions: STREAM_TABLE_ACTIONS });
    this.auditSealer = new AuditSealer(this, 'AuditSealer', {
      ...common,
      prefix: names.stackPrefix,
      functionName: `${names.stackPrefix}-sealer`,
      table: props.table,
      dataKey: props.dataKey,
      failures: this.streamFailures,
    });
    this.webhookQueue.grantSendMessages(this.streamFunction.role);

    this.webhookSender = new CustodyFunction(this, 'WebhookSender', {
      ...common,
      functionName: names.webhookSenderFunction,
      entry: FUNCTION_ENTRIES.webhookSender,
      description: 'Signs and POSTs webhook deliveries from the delivery queue, with backoff and DLQ',
      serviceName: 'wso-webhook-sender',
      timeout: WEBHOOK_SENDER_TIMEOUT,
      concurrency: {
        unreserved: `Invoked by the delivery queue only, capped at ${WEBHOOK_MAX_CONCURRENCY} concurrent executions by the event source mapping's maximum concurrency.`,
      },
      environment: environmentFor('webhookSender', {
        TABLE_NAME: props.table.tableName,
        WEBHOOK_QUEUE_URL: this.webhookQueue.queueUrl,
        WEBHOOK_DLQ_URL: this.webhookDlq.queueUrl,
        WEBHOOK_SECRETS_KEY_ID: props.webhookSecretsKey.keyArn,
      }),
    });
    this.webhookSender.function.addEventSource(
      new SqsEventSource(this.webhookQueue, {
        batchSize: WEBHOOK_BATCH_SIZE,
        reportBatchItemFailures: true,
        maxConcurrency: WEBHOOK_MAX_CONCURRENCY,
      }),
    );
    // Reads the delivery record and the subscription, records the attempt.
    grantTableAccess(this.webhookSender.role, tableRef, { tableActions: ['GetItem', 'UpdateItem'] });
    // Opens each subscription's sealed secret to sign (the key policy requires the `tenant` context).
    this.webhookSender.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OpenWebhookSecrets',
        actions: ['kms:Decrypt'],
        resources: [props.webhookSecretsKey.keyArn],
      }),
    );
    // Exhausted deliveries are dead-lettered by the sender itself (functions/webhook-sender/sqs-ops.ts).
    this.webhookDlq.grantSendMessages(this.webhookSender.role);

    this.acknowledgeFindings();
  }

  private acknowledgeFindings(): void {
    acknowledge(
      this.streamFunction.role,
      'AwsSolutions-IAM5',
      'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and dynamodb:ListStreams (added by ' +
        'the DynamoDB event source) have no resource-level permissions and can only be granted on ' +
        '"*"; ListStreams lists stream ARNs and reads no data. Stream reads (GetRecords, ' +
        "GetShardIterator, DescribeStream) are on this table's stream only.",
      ['Resource::*'],
    );
    acknowledge(
      this.streamFunction.function,
      'NIST.800.53.R5-LambdaDLQ',
      'Invoked by a DynamoDB stream event source mapping, never asynchronously: failed batches go ' +
        "to the mapping's SQS on-failure destination (alarmed on its first message).",
    );
    acknowledge(
      this.webhookSender.function,
      'NIST.800.53.R5-LambdaDLQ',
      'Invoked by an SQS event source mapping, never asynchronously: failed messages return to the ' +
        'delivery queue, whose redrive policy moves them to the webhook DLQ (alarmed).',
    );
  }
}
