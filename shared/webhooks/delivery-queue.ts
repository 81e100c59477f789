import * as z from 'zod';
import { tenantId, ulid } from '../schemas/common.ts';

/**
 * What travels on the delivery queue: a pointer to the delivery record, never the payload or the
 * secret (the sender reads both from the table). `round` tells a redelivery's message from a stale
 * one of an earlier round, which is then dropped.
 */
export const deliveryMessageSchema = z.strictObject({
  tenantId,
  webhookId: ulid,
  deliveryId: ulid,
  round: z.number().int().min(1),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

/**
 * The port the stream consumer and the redeliver route send through: SQS in AWS (the sender Lambda
 * consumes it), an in-memory queue on the virtual clock locally. Both are at-least-once; the sender
 * makes a duplicate message harmless.
 */
export interface DeliveryQueue {
  enqueue(message: DeliveryMessage): Promise<void>;
}

/** What the sender decided for one message; each queue adapter maps it to its own mechanics. */
export type DeliveryOutcome =
  /** Nothing more to do: delivered, superseded by a newer round, or gone. */
  | { kind: 'settled' }
  /** Try again after this wait (SQS: message visibility; local: virtual due time). */
  | { kind: 'retry'; delayMs: number }
  /** Out of attempts: the record says FAILED and the message goes to the dead-letter queue. */
  | { kind: 'exhausted' };

export type DeliveryProcessor = (message: DeliveryMessage) => Promise<DeliveryOutcome>;
