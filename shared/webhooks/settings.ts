import * as z from 'zod';

/**
 * Delivery tuning. One object, so the sender Lambda, the local runtime and the tests agree on what
 * can be configured; AWS reads it from the environment (`webhookSettingsFromEnv`).
 */
export interface WebhookSettings {
  /** The whole request (connect, TLS, headers) must finish within this; then the attempt fails. */
  timeoutMs: number;
  /** Attempts per round (a redeliver starts a new round); then the delivery is FAILED and dead-lettered. */
  maxAttempts: number;
  /** Backoff: the n-th failed attempt waits a random time in [0, min(maxDelayMs, baseDelayMs·2^(n−1))]. */
  baseDelayMs: number;
  /** At most SQS's 12-hour visibility limit, since a retry waits as an invisible message. */
  maxDelayMs: number;
  /** Deliveries in flight at once (per sender invocation, or in the local runtime). */
  concurrency: number;
  /** In flight at once per subscription, so one slow receiver cannot take every slot. */
  perReceiverConcurrency: number;
  userAgent: string;
}

/** SQS ChangeMessageVisibility accepts 0 to 43,200 seconds (12 hours). */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

export const DEFAULT_WEBHOOK_SETTINGS: Readonly<WebhookSettings> = {
  timeoutMs: 10_000,
  maxAttempts: 12,
  baseDelayMs: 10_000,
  maxDelayMs: 6 * 3_600_000,
  concurrency: 16,
  perReceiverConcurrency: 2,
  userAgent: 'WSO-Custody-Webhooks/1.0',
};

const settingsSchema = z.strictObject({
  timeoutMs: z.number().int().min(50).max(60_000),
  maxAttempts: z.number().int().min(1).max(50),
  baseDelayMs: z.number().int().min(1000).max(3_600_000),
  maxDelayMs: z
    .number()
    .int()
    .min(1000)
    .max(SQS_MAX_VISIBILITY_SECONDS * 1000),
  concurrency: z.number().int().min(1).max(256),
  perReceiverConcurrency: z.number().int().min(1).max(64),
  userAgent: z.string().min(1).max(100),
});

/** Defaults with overrides, validated: a typo in configuration fails at start, not at 3 a.m. */
export function webhookSettings(overrides: Partial<WebhookSettings> = {}): WebhookSettings {
  return settingsSchema.parse({ ...DEFAULT_WEBHOOK_SETTINGS, ...overrides });
}

type NumericSetting = {
  [K in keyof WebhookSettings]: WebhookSettings[K] extends number ? K : never;
}[keyof WebhookSettings];

const ENVIRONMENT = {
  WEBHOOK_TIMEOUT_MS: 'timeoutMs',
  WEBHOOK_MAX_ATTEMPTS: 'maxAttempts',
  WEBHOOK_CONCURRENCY: 'concurrency',
} as const satisfies Record<string, NumericSetting>;

export function webhookSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): WebhookSettings {
  const overrides: Partial<Record<NumericSetting, number>> = {};
  for (const [name, field] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value !== undefined && value !== '') overrides[field] = Number(value);
  }
  return webhookSettings(overrides);
}
