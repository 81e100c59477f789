import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance.ts';

export interface FailureQueueProps {
  readonly queueName: string;
  readonly encryptionKey: kms.IKey;
  /** What fails into this queue, for the record of why it has no dead-letter queue of its own. */
  readonly collects?: string;
}

/**
 * A queue that collects failed deliveries for a person to look at: KMS-encrypted (the messages
 * carry tenant and hold ids), TLS only, and kept for the SQS maximum of 14 days so a weekend
 * outage is still there on Monday. An alarm fires on the first message.
 */
export class FailureQueue extends Construct {
  readonly queue: sqs.Queue;

  constructor(scope: Construct, id: string, props: FailureQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // Fewer KMS calls; the data key is reused for 15 minutes at most.
      dataKeyReuse: Duration.minutes(15),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.queue,
      'AwsSolutions-SQS3',
      `This queue is itself the dead-letter destination of ${props.collects ?? 'the hold timers'}; ` +
        'nothing consumes it automatically, so a further DLQ would never receive anything. Its first ' +
        'message raises an alarm.',
    );
  }
}
