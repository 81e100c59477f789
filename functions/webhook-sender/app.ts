import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { custodyMetrics } from '../../shared/observability/metrics.ts';
import {
  type DeliveryMessage,
  type DeliveryOutcome,
  type DeliveryProcessor,
  deliveryMessageSchema,
} from '../../shared/webhooks/delivery-queue.ts';
import { runFair } from '../../shared/webhooks/fair-pool.ts';
import { SQS_MAX_VISIBILITY_SECONDS, type WebhookSettings } from '../../shared/webhooks/settings.ts';

/** What the sender needs from SQS besides the event source mapping's own delete-on-success. */
export interface SenderQueueOps {
  /** Hide a received message for this long: the retry's backoff (ChangeMessageVisibility). */
  delay(receiptHandle: string, seconds: number): Promise<void>;
  /** Park a message that will never be sent (out of attempts, or malformed) on the DLQ. */
  deadLetter(body: string, reason: string): Promise<void>;
}

export interface SenderLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

/**
 * The visibility limit counts from when the message was received, and the attempt itself took some
 * of it: keep a margin so ChangeMessageVisibility is never refused for asking too much.
 */
const VISIBILITY_MARGIN_SECONDS = 300;

export const visibilitySeconds = (delayMs: number): number =>
  Math.min(Math.max(Math.ceil(delayMs / 1000), 0), SQS_MAX_VISIBILITY_SECONDS - VISIBILITY_MARGIN_SECONDS);

/**
 * The webhook-sender Lambda (SQS event source mapping, ReportBatchItemFailures on). Every message of
 * the batch is attempted concurrently, bounded globally and per subscription, so one receiver that
 * never answers costs its own slot for at most the request timeout. Outcomes map to SQS mechanics:
 * settled → deleted (success); retry → visibility set to the backoff and reported as failed, so
 * the same message returns after the wait; exhausted → sent to the DLQ, then deleted. A thrown
 * error (DynamoDB unavailable) is a plain failure: the message returns after the queue's own
 * visibility timeout, and the queue's redrive policy catches a message that keeps failing.
 */
export function createWebhookSenderHandler(
  logger: SenderLogger,
  options: {
    process: DeliveryProcessor;
    ops: SenderQueueOps;
    settings: Pick<WebhookSettings, 'concurrency' | 'perReceiverConcurrency'>;
  },
) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    const valid: { record: SQSRecord; message: DeliveryMessage }[] = [];
    for (const record of event.Records) {
      const message = parseMessage(record.body);
      if (message) {
        valid.push({ record, message });
        continue;
      }
      logger.error('malformed webhook delivery message; dead-lettered', { messageId: record.messageId });
      try {
        await options.ops.deadLetter(record.body, 'malformed message');
      } catch {
        failures.push(record.messageId);
      }
    }
    const results = await runFair(
      valid.map(({ message }) => ({ key: message.webhookId, run: () => options.process(message) })),
      { global: options.settings.concurrency, perKey: options.settings.perReceiverConcurrency },
    );
    await Promise.all(
      results.map(async (result, index) => {
        const { record, message } = valid[index] as { record: SQSRecord; message: DeliveryMessage };
        if (!result.ok) {
          logger.error('webhook delivery failed to process; SQS will redeliver the message', {
            ...message,
            error: result.error instanceof Error ? result.error.message : String(result.error),
          });
          failures.push(record.messageId);
          return;
        }
        if (!(await applyOutcome(result.value, record, options.ops, logger))) failures.push(record.messageId);
      }),
    );
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

function parseMessage(body: string): DeliveryMessage | undefined {
  try {
    const parsed = deliveryMessageSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** True when the message is done with (delete it); false to leave it for a later receive. */
async function applyOutcome(
  outcome: DeliveryOutcome,
  record: SQSRecord,
  ops: SenderQueueOps,
  logger: SenderLogger,
): Promise<boolean> {
  if (outcome.kind === 'settled') return true;
  if (outcome.kind === 'retry') {
    try {
      await ops.delay(record.receiptHandle, visibilitySeconds(outcome.delayMs));
    } catch (error) {
      // The message still returns, after the queue's default visibility instead of the backoff.
      logger.error('could not set the retry delay', { messageId: record.messageId, error: String(error) });
    }
    return false;
  }
  // Out of attempts: the record already says FAILED, so this outcome comes once per delivery round
  // (a redelivered message finds it settled). Counted before dead-lettering, which may itself fail.
  custodyMetrics().webhookDeliveryFailure();
  try {
    await ops.deadLetter(record.body, 'out of attempts');
    return true;
  } catch (error) {
    logger.error('could not dead-letter an exhausted delivery', {
      messageId: record.messageId,
      error: String(error),
    });
    return false;
  }
}
