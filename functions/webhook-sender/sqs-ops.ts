import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SenderQueueOps } from './app.ts';

/** The sender's SQS calls: the retry delay on the webhook queue, and the explicit dead-letter send. */
export function sqsQueueOps(
  client: SQSClient,
  queues: { queueUrl: string; deadLetterQueueUrl: string },
): SenderQueueOps {
  return {
    async delay(receiptHandle, seconds) {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queues.queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
    async deadLetter(body, reason) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queues.deadLetterQueueUrl,
          MessageBody: body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: reason } },
        }),
      );
    },
  };
}
