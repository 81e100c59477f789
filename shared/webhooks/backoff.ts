import type { WebhookSettings } from './settings.ts';

/** A source of uniform randomness in [0, 1): a port so tests can pin the jitter. */
export type Random = () => number;

/**
 * Exponential backoff with full jitter (a random wait between zero and the exponential ceiling):
 * when a receiver comes back after an outage, the queued retries of all tenants arrive spread out
 * instead of in synchronized waves. Whole seconds, at least one, because SQS visibility is in
 * seconds and a zero wait would be an immediate hammering retry.
 *
 * `failedAttempt` counts from 1 within the current round.
 */
export function retryDelayMs(
  failedAttempt: number,
  settings: Pick<WebhookSettings, 'baseDelayMs' | 'maxDelayMs'>,
  random: Random = Math.random,
): number {
  const exponent = Math.min(Math.max(failedAttempt - 1, 0), 30);
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** exponent);
  const seconds = Math.max(1, Math.ceil((random() * ceiling) / 1000));
  return Math.min(seconds * 1000, settings.maxDelayMs);
}

/** The ceiling of each wait, for documentation and tests: what the schedule can be at worst. */
export const retryCeilingsMs = (
  settings: Pick<WebhookSettings, 'baseDelayMs' | 'maxDelayMs' | 'maxAttempts'>,
) =>
  Array.from({ length: Math.max(settings.maxAttempts - 1, 0) }, (_, index) =>
    Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** index),
  );
