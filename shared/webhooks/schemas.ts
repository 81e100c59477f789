import * as z from 'zod';
import { instant, text, ulid } from '../schemas/common.ts';
import { pageOf } from '../schemas/list.ts';
import { WEBHOOK_EVENT_TYPES } from './event-types.ts';
import { MAX_WEBHOOK_URL_LENGTH } from './url-policy.ts';

/** Boundary schemas of the webhook routes. The URL's SSRF policy depends on the runtime, so the
 * route applies it (url-policy.ts); the schema only bounds the string. */

export const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES).meta({ id: 'WebhookEventType' });

export const createWebhookBody = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .max(MAX_WEBHOOK_URL_LENGTH)
      .meta({ description: 'https URL of the receiver (http://127.0.0.1:<port> only in the local runtime)' }),
    events: z
      .array(webhookEventType)
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length)
      .refine((events) => new Set(events).size === events.length, 'must not repeat an event type')
      .meta({ description: 'The event types to receive' }),
    description: text(200).optional(),
  })
  .meta({ id: 'CreateWebhook' });
export type CreateWebhook = z.infer<typeof createWebhookBody>;

export const WEBHOOK_STATUSES = ['ACTIVE'] as const;

export const webhookSchema = z
  .object({
    webhookId: ulid,
    tenantId: z.string(),
    url: z.string(),
    events: z.array(webhookEventType),
    status: z.enum(WEBHOOK_STATUSES),
    description: z.string().optional(),
    createdAt: instant,
  })
  .meta({ id: 'Webhook' });
export type Webhook = z.infer<typeof webhookSchema>;

export const createdWebhookSchema = webhookSchema
  .extend({
    secret: z.string().meta({
      description:
        'The signing secret, shown once: verify `wso-signature` with HMAC-SHA256 keyed by its UTF-8 bytes',
    }),
  })
  .meta({ id: 'CreatedWebhook' });

export const webhookList = z.object({ items: z.array(webhookSchema) }).meta({ id: 'WebhookList' });

export const DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'RETRYING', 'FAILED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const deliveryAttemptSchema = z
  .object({
    attempt: z.number().int().meta({ description: 'Counts every attempt of this delivery, across rounds' }),
    round: z.number().int(),
    at: instant,
    statusCode: z.number().int().optional().meta({ description: 'The receiver\u2019s HTTP status' }),
    error: z
      .string()
      .optional()
      .meta({ description: 'Why no status was received (timeout, refused target)' }),
    latencyMs: z.number().int(),
    result: z.enum(['SUCCEEDED', 'RETRYING', 'FAILED']),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });
export type DeliveryAttempt = z.infer<typeof deliveryAttemptSchema>;

export const deliverySchema = z
  .object({
    deliveryId: ulid.meta({ description: 'Equals the event id: one delivery per subscription and event' }),
    webhookId: ulid,
    eventId: ulid,
    eventType: webhookEventType,
    occurredAt: instant,
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    round: z
      .number()
      .int()
      .meta({ description: 'Starts at 1; each redeliver starts a new round of attempts' }),
    lastStatusCode: z.number().int().optional(),
    lastError: z.string().optional(),
    lastLatencyMs: z.number().int().optional(),
    lastAttemptAt: instant.optional(),
    nextAttemptAt: instant.optional(),
    deliveredAt: instant.optional(),
    failedAt: instant.optional(),
    history: z.array(deliveryAttemptSchema).meta({ description: 'The latest attempts, oldest first' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'WebhookDelivery' });
export type Delivery = z.infer<typeof deliverySchema>;

export const deliveryPage = pageOf(deliverySchema, 'WebhookDeliveryPage');

export const redeliverResponse = z
  .object({ deliveryId: ulid, round: z.number().int(), status: z.literal('PENDING') })
  .meta({ id: 'Redelivery' });
