import type { DeliveryQueue } from '../webhooks/delivery-queue.ts';
import { onFirstUse } from './on-first-use.ts';

/**
 * Loaded on first use: importing this file evaluates no SDK code and constructs no client. The
 * client and its adapter come through `import()`, a chunk of its own in the bundle
 * (infra/bundling.ts), loaded by the first call only. The local runtime uses its own adapters.
 */
/** The webhook queue (shared/webhooks/sqs-delivery-queue.ts), loaded on the first enqueue; the URL is checked then. */
export function sqsDeliveriesOnFirstUse(queueUrl: string | undefined): DeliveryQueue {
  const queue = onFirstUse(async () => {
    const [{ SQSClient }, { SqsDeliveryQueue }] = await Promise.all([
      import('@aws-sdk/client-sqs'),
      import('../webhooks/sqs-delivery-queue.ts'),
    ]);
    return new SqsDeliveryQueue(() => new SQSClient({}), queueUrl);
  });
  return { enqueue: async (message) => (await queue()).enqueue(message) };
}
