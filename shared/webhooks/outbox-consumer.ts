import * as z from 'zod';
import type { AppDeps } from '../app-deps.ts';
import { instant, tenantId, ulid } from '../schemas/common.ts';
import { createDelivery } from '../store/webhook-deliveries.ts';
import { listWebhooks, type StoredWebhook } from '../store/webhook-subscriptions.ts';
import { type ChangeRecord, entityOf } from '../streams/change-record.ts';
import { toIsoSeconds } from '../util/time.ts';
import { WEBHOOK_EVENT_TYPES } from './event-types.ts';

/**
 * Stream consumer: OUTBOX inserts → one delivery per matching subscription of the event's tenant,
 * then onto the delivery queue. Replays are harmless: the delivery is a conditional put keyed by
 * (subscription, event id), and an existing delivery is enqueued again only if it never got as far
 * as its first attempt (the earlier run may have stopped between the put and the send).
 */
/**
 * The envelope of our own OUTBOX items. Not strict on purpose: an attribute the writer adds later
 * must not silently stop every notification, and the body sent is rebuilt from these fields only.
 */
const outboxEvent = z.object({
  id: ulid,
  type: z.enum(WEBHOOK_EVENT_TYPES),
  occurredAt: instant,
  tenantId,
  data: z.record(z.string(), z.unknown()),
});
export type OutboxWebhookEvent = z.infer<typeof outboxEvent>;

/** The body receivers get: exactly the outbox event, serialised once and stored with the delivery. */
export const webhookBody = (event: OutboxWebhookEvent): string =>
  JSON.stringify({
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    tenantId: event.tenantId,
    data: event.data,
  });

export const webhookOutboxConsumer = {
  name: 'webhook-outbox',
  async handle(records: readonly ChangeRecord[], deps: AppDeps): Promise<void> {
    const subscriptions = new Map<string, Promise<StoredWebhook[]>>();
    for (const record of records) {
      if (record.eventName !== 'INSERT' || entityOf(record) !== 'Outbox' || !record.newImage) continue;
      const parsed = outboxEvent.safeParse(record.newImage);
      if (!parsed.success) {
        // Not retryable: the same record fails the same way. Logged for the operator, then skipped.
        deps.logger.error('outbox item is not a webhook event; skipped', {
          pk: record.pk,
          sk: record.sk,
          issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
        });
        continue;
      }
      const event = parsed.data;
      // One Query per tenant per batch, shared by all its events.
      let tenantWebhooks = subscriptions.get(event.tenantId);
      if (!tenantWebhooks) {
        tenantWebhooks = listWebhooks(deps.db, event.tenantId);
        subscriptions.set(event.tenantId, tenantWebhooks);
      }
      const matching = (await tenantWebhooks).filter((webhook) => webhook.events.includes(event.type));
      await Promise.all(matching.map((webhook) => fanOut(deps, webhook, event)));
    }
  },
};

async function fanOut(deps: AppDeps, webhook: StoredWebhook, event: OutboxWebhookEvent): Promise<void> {
  const result = await createDelivery(deps.db, {
    tenantId: event.tenantId,
    webhookId: webhook.webhookId,
    eventId: event.id,
    eventType: event.type,
    occurredAt: event.occurredAt,
    payload: webhookBody(event),
    now: toIsoSeconds(deps.clock.now()),
  });
  const delivery = result.created ? result.delivery : result.existing;
  if (!result.created && (delivery.status !== 'PENDING' || delivery.attempts > 0)) return;
  await deps.deliveries.enqueue({
    tenantId: delivery.tenantId,
    webhookId: delivery.webhookId,
    deliveryId: delivery.deliveryId,
    round: delivery.round,
  });
}
