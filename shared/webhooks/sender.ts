import type { AppDeps } from '../app-deps.ts';
import {
  getDelivery,
  markOrphaned,
  recordAttempt,
  type StoredDelivery,
} from '../store/webhook-deliveries.ts';
import { getWebhook, openSigningSecret, type StoredWebhook } from '../store/webhook-subscriptions.ts';
import { toIsoSeconds } from '../util/time.ts';
import { type Random, retryDelayMs } from './backoff.ts';
import type { DeliveryMessage, DeliveryOutcome } from './delivery-queue.ts';
import type { WebhookResponse, WebhookTransport } from './http-transport.ts';
import { SecretNotOpened } from './secret-box.ts';
import type { WebhookSettings } from './settings.ts';
import { SIGNATURE_HEADER, signatureHeader } from './signature.ts';
import { checkWebhookUrl } from './url-policy.ts';

/**
 * One delivery attempt, whatever queue carried the message: read the record and the subscription,
 * re-check the URL policy, sign, POST, record the attempt, and tell the queue what to do next.
 * Safe under duplicates: a message of an older round or for a settled delivery does nothing, and
 * two copies racing on one attempt record it once (the loser's write is conditional and fails).
 */
export type SenderDeps = Pick<AppDeps, 'db' | 'clock' | 'logger' | 'config' | 'webhookSecrets'>;

export interface SenderOptions {
  settings: WebhookSettings;
  transport: WebhookTransport;
  random?: Random;
}

/** Queues round visibility to whole seconds; an attempt this early is on time. */
const EARLY_TOLERANCE_MS = 1000;

export const isSuccess = (statusCode: number): boolean => statusCode >= 200 && statusCode < 300;

export async function processDelivery(
  deps: SenderDeps,
  message: DeliveryMessage,
  options: SenderOptions,
): Promise<DeliveryOutcome> {
  const { db, clock, logger } = deps;
  const stored = await getDelivery(db, message.tenantId, message.webhookId, message.deliveryId);
  if (!stored || stored.round !== message.round) return { kind: 'settled' };
  if (stored.status === 'SUCCEEDED' || stored.status === 'FAILED') return { kind: 'settled' };
  // A message that shows up before its retry time (an SQS duplicate, a visibility change that did not
  // stick) waits for it instead of hammering the receiver; it may be the only copy, so it is kept.
  const dueInMs = Date.parse(stored.nextAttemptAt ?? '') - clock.now().getTime();
  if (dueInMs > EARLY_TOLERANCE_MS) return { kind: 'retry', delayMs: dueInMs };

  const webhook = await getWebhook(db, message.tenantId, message.webhookId, true);
  if (!webhook) {
    await markOrphaned(db, stored, toIsoSeconds(clock.now()));
    return { kind: 'settled' };
  }

  const startedAt = clock.now();
  const verdict = checkWebhookUrl(webhook.url, { local: deps.config.local });
  const secret = verdict.ok ? await secretOf(deps, webhook) : undefined;
  const response: WebhookResponse = !verdict.ok
    ? { kind: 'error', error: `refused target: the URL ${verdict.reason}`, latencyMs: 0 }
    : secret === undefined
      ? { kind: 'error', error: 'the signing secret does not open for this tenant', latencyMs: 0 }
      : await options.transport.post({
          url: verdict.url,
          headers: headersFor(stored, secret, Math.floor(startedAt.getTime() / 1000), options.settings),
          body: stored.payload,
          timeoutMs: options.settings.timeoutMs,
        });

  const at = toIsoSeconds(startedAt);
  const delivered = response.kind === 'response' && isSuccess(response.statusCode);
  const attemptInRound = stored.roundAttempts + 1;
  const exhausted = !delivered && attemptInRound >= options.settings.maxAttempts;
  const delayMs = delivered || exhausted ? 0 : retryDelayMs(attemptInRound, options.settings, options.random);
  const result = delivered ? 'SUCCEEDED' : exhausted ? 'FAILED' : 'RETRYING';
  const recorded = await recordAttempt(db, stored, {
    at,
    ...(response.kind === 'response' ? { statusCode: response.statusCode } : { error: response.error }),
    latencyMs: response.latencyMs,
    result,
    ...(result === 'RETRYING' ? { nextAttemptAt: retryAt(startedAt, delayMs) } : {}),
  });
  logger.info('webhook attempt', {
    tenantId: stored.tenantId,
    webhookId: stored.webhookId,
    deliveryId: stored.deliveryId,
    eventType: stored.eventType,
    attempt: stored.attempts + 1,
    round: stored.round,
    result,
    statusCode: response.kind === 'response' ? response.statusCode : undefined,
    error: response.kind === 'error' ? response.error : undefined,
    latencyMs: response.latencyMs,
    recorded,
  });
  if (!recorded || delivered) return { kind: 'settled' };
  return exhausted ? { kind: 'exhausted' } : { kind: 'retry', delayMs };
}

/**
 * The subscription's secret, or undefined when it does not open for the subscription's tenant (a
 * sealed value copied from another county's item): then nothing is sent, and the attempt fails like
 * a refused target. Any other error (KMS unreachable, throttled) propagates: the queue retries.
 */
async function secretOf(deps: SenderDeps, webhook: StoredWebhook): Promise<string | undefined> {
  try {
    return await openSigningSecret(deps.webhookSecrets, webhook);
  } catch (error) {
    if (error instanceof SecretNotOpened) {
      deps.logger.error('webhook secret not opened', {
        tenantId: webhook.tenantId,
        webhookId: webhook.webhookId,
        reason: error.message,
      });
      return undefined;
    }
    throw error;
  }
}

/** Rounded up to the second: the log never shows a retry earlier than the queue makes it visible. */
const retryAt = (startedAt: Date, delayMs: number): string =>
  toIsoSeconds(new Date(Math.ceil((startedAt.getTime() + delayMs) / 1000) * 1000));

function headersFor(
  delivery: StoredDelivery,
  secret: string,
  unixSeconds: number,
  settings: WebhookSettings,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': settings.userAgent,
    [SIGNATURE_HEADER]: signatureHeader(secret, unixSeconds, delivery.payload),
    'wso-event-id': delivery.eventId,
    'wso-delivery-attempt': String(delivery.attempts + 1),
  };
}
