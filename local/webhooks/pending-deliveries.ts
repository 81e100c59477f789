import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../shared/store/db.ts';
import type { DeliveryMessage } from '../../shared/webhooks/delivery-queue.ts';

export interface PendingDelivery {
  message: DeliveryMessage;
  /** When its next attempt is due (undefined: now). */
  dueAt: Date | undefined;
}

/**
 * The deliveries of the table that are not settled (PENDING or RETRYING). In AWS they wait in SQS,
 * which outlives any process; the local queue lives in memory, so the runtime re-queues these when
 * it starts on kept data. One Scan, once, at start: local-only (never in a request or timer path).
 */
export async function pendingDeliveries(db: Db): Promise<PendingDelivery[]> {
  const pending: PendingDelivery[] = [];
  const pages = paginateScan(
    { client: db.doc },
    {
      TableName: db.tableName,
      FilterExpression: 'entity = :entity AND #status IN (:pending, :retrying)',
      ProjectionExpression: 'tenantId, webhookId, deliveryId, #round, nextAttemptAt',
      ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
      ExpressionAttributeValues: {
        ':entity': 'WebhookDelivery',
        ':pending': 'PENDING',
        ':retrying': 'RETRYING',
      },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const { tenantId, webhookId, deliveryId, round, nextAttemptAt } = item;
      if (typeof tenantId !== 'string' || typeof webhookId !== 'string' || typeof deliveryId !== 'string')
        continue;
      const due = typeof nextAttemptAt === 'string' ? Date.parse(nextAttemptAt) : Number.NaN;
      pending.push({
        message: { tenantId, webhookId, deliveryId, round: typeof round === 'number' ? round : 1 },
        dueAt: Number.isFinite(due) ? new Date(due) : undefined,
      });
    }
  }
  return pending;
}
