import { HOLD_EVENT_TYPES } from '../domain/hold.ts';

/**
 * The event types a subscription may ask for (DESIGN.md §4): every hold transition, and the
 * officer credential warning (emitted by the daily credential expiry job, shared/jobs/credential-expiry.ts).
 */
export const WEBHOOK_EVENT_TYPES = [...HOLD_EVENT_TYPES, 'officer.credential_expiring'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const isWebhookEventType = (value: string): value is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
