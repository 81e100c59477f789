import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryMessage, DeliveryQueue } from './delivery-queue.ts';

/**
 * The AWS adapter: one SendMessage per delivery to the webhook queue (standard queue: per-message
 * delays and visibility changes, which FIFO queues do not allow per message). The client is made
 * on first use, so functions that never enqueue (timer, sweeper) pay nothing at init.
 */
export class SqsDeliveryQueue implements DeliveryQueue {
  private client: SQSClient | undefined;
  private readonly makeClient: () => SQSClient;
  private readonly queueUrl: string | undefined;

  constructor(makeClient: () => SQSClient, queueUrl: string | undefined) {
    this.makeClient = makeClient;
    this.queueUrl = queueUrl;
  }

  async enqueue(message: DeliveryMessage): Promise<void> {
    if (!this.queueUrl)
      throw new Error('WEBHOOK_QUEUE_URL is not set: this function cannot enqueue deliveries');
    this.client ??= this.makeClient();
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }
}
