import { deliveryIntents } from '../../../shared/store/webhook-deliveries.ts';
import { webhookIntents } from '../../../shared/store/webhook-subscriptions.ts';
import type { Webhook } from '../../../shared/webhooks/schemas.ts';
import { absent, type Case, on, putItemOf, TABLE, without } from './fixtures.ts';

const webhook = (t: string): Webhook => ({
  webhookId: '01WEBHOOK0000000000000000A',
  tenantId: t,
  url: 'https://jail.example/hooks',
  events: ['hold.created'],
  status: 'ACTIVE',
  createdAt: '2026-11-24T03:00:00Z',
});
const subscribed = (t: string) => putItemOf(webhookIntents.create(TABLE, webhook(t), 'sealed-secret'));

/** webhookIntents (shared/store/webhook-subscriptions.ts): one entry per factory. */
export const webhookCases = {
  // 'attribute_not_exists(pk)'
  create: on(
    (t) => webhookIntents.create(TABLE, webhook(t), 'sealed-secret'),
    [
      ['absent webhook', absent, 'accepted'],
      ['webhook id taken', (_s, t) => subscribed(t), 'refused'],
    ],
  ),
  // 'attribute_exists(pk)'
  delete: on(
    (t) => webhookIntents.delete(TABLE, t, webhook(t).webhookId),
    [
      ['absent webhook', absent, 'refused'],
      ['subscribed', (_s, t) => subscribed(t), 'accepted'],
    ],
  ),
} satisfies Record<keyof typeof webhookIntents, Case[]>;

const NOW = '2026-11-24T05:00:00Z';
/** A delivery that gave up in its first round, as the sender leaves it. */
const failed = (t: string) => ({
  entity: 'WebhookDelivery',
  tenantId: t,
  deliveryId: '01DELIVERY00000000000000A',
  webhookId: '01WEBHOOK0000000000000000A',
  eventId: '01EVENT00000000000000000A',
  eventType: 'hold.created',
  status: 'FAILED',
  round: 1,
  roundAttempts: 8,
  attempts: [],
  payload: '{}',
  createdAt: '2026-11-24T03:00:00Z',
  updatedAt: '2026-11-24T04:00:00Z',
  failedAt: '2026-11-24T04:00:00Z',
  expiresAt: 1_800_000_000,
});

/** deliveryIntents (shared/store/webhook-deliveries.ts): one entry per factory. */
export const deliveryCases = {
  // 'attribute_exists(pk) AND #round = :round'
  startRound: on(
    (t) =>
      deliveryIntents.startRound(TABLE, t, '01WEBHOOK0000000000000000A', '01DELIVERY00000000000000A', 1, NOW),
    [
      ['absent delivery', absent, 'refused'],
      ['failed in the round read', (_s, t) => failed(t), 'accepted'],
      [
        'still pending, no failedAt',
        (_s, t) => without({ ...failed(t), status: 'PENDING' }, 'failedAt'),
        'accepted',
      ],
      ['redelivered meanwhile', (_s, t) => ({ ...failed(t), round: 2 }), 'refused'],
      ['without round', (_s, t) => without(failed(t), 'round'), 'refused'],
    ],
  ),
} satisfies Record<keyof typeof deliveryIntents, Case[]>;
