import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/**
 * Deployment settings read from CDK context (`cdk.json`, or `-c key=value` on the command line).
 * Values given on the command line arrive as strings, so every reader accepts both forms.
 */
export interface AppConfig {
  /** Short environment name; part of every physical resource name. */
  readonly stage: string;
  /** Where alarms are e-mailed; without it the alarm topic exists but has no subscriber. */
  readonly alarmEmail?: string;
  /** Attach the regional WAF web ACL to the API stage. */
  readonly wafEnabled: boolean;
  /** Retention of every log group: the nearest CloudWatch value at or above one year. */
  readonly logRetention: RetentionDays;
  /** LOG_LEVEL handed to the functions (Powertools logger). */
  readonly logLevel: LogLevel;
  /**
   * Authorized methods require an API Gateway key, so the usage plan's per-key throttle applies.
   * The authorizer returns `usageIdentifierKey` (the key's hash), which key issuance registered as
   * an API Gateway key of the plan (shared/auth/usage-plan-keys.ts).
   */
  readonly apiKeyRequired: boolean;
  /** The usage plan's throttle for each API key: steady requests per second and burst. */
  readonly perKeyThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Requests per day per API key; absent means no quota (the default, see api-stack.ts). */
  readonly perKeyDailyQuota?: number;
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Person data must stay in logs for at least a year (DESIGN.md §5). */
export const MIN_LOG_RETENTION_DAYS = 365;

export const CONTEXT_DEFAULTS = {
  stage: 'dev',
  wafEnabled: true,
  logRetentionDays: 400,
  logLevel: 'INFO',
  // Key issuance registers every key in the usage plan (issue 7), so API Gateway can require it.
  apiKeyRequired: true,
  perKeyRateLimit: 50,
  perKeyBurstLimit: 100,
} as const;

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,11}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function readConfig(node: Node): AppConfig {
  const stage = readString(node, 'stage') ?? CONTEXT_DEFAULTS.stage;
  if (!STAGE_PATTERN.test(stage)) {
    // Kept short: the stage ends up in function, queue and schedule-group names (64 chars max).
    throw new Error(`context "stage" must match ${STAGE_PATTERN}, got "${stage}"`);
  }
  const alarmEmail = readString(node, 'alarmEmail');
  if (alarmEmail !== undefined && !EMAIL_PATTERN.test(alarmEmail)) {
    throw new Error(`context "alarmEmail" is not an e-mail address: "${alarmEmail}"`);
  }
  const perKeyDailyQuota = readNumber(node, 'perKeyDailyQuota');
  const logLevel = (readString(node, 'logLevel') ?? CONTEXT_DEFAULTS.logLevel).toUpperCase();
  if (!isLogLevel(logLevel)) {
    throw new Error(`context "logLevel" must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  return {
    stage,
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    wafEnabled: readBoolean(node, 'wafEnabled') ?? CONTEXT_DEFAULTS.wafEnabled,
    logRetention: retentionAtLeastOneYear(
      readNumber(node, 'logRetentionDays') ?? CONTEXT_DEFAULTS.logRetentionDays,
    ),
    logLevel,
    apiKeyRequired: readBoolean(node, 'apiKeyRequired') ?? CONTEXT_DEFAULTS.apiKeyRequired,
    perKeyThrottle: {
      rateLimit: readNumber(node, 'perKeyRateLimit') ?? CONTEXT_DEFAULTS.perKeyRateLimit,
      burstLimit: readNumber(node, 'perKeyBurstLimit') ?? CONTEXT_DEFAULTS.perKeyBurstLimit,
    },
    ...(perKeyDailyQuota === undefined ? {} : { perKeyDailyQuota }),
  };
}

/**
 * CloudWatch Logs accepts only a fixed list of retention periods: pick the smallest one that keeps
 * logs at least as long as asked and never less than a year.
 */
export function retentionAtLeastOneYear(requestedDays: number): RetentionDays {
  const wanted = Math.max(requestedDays, MIN_LOG_RETENTION_DAYS);
  const allowed = Object.values(RetentionDays)
    .filter((value): value is RetentionDays => typeof value === 'number')
    .sort((a, b) => a - b);
  return allowed.find((days) => days >= wanted) ?? RetentionDays.INFINITE;
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

function readString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context "${key}" must be a string`);
  return value;
}

function readBoolean(node: Node, key: string): boolean | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`context "${key}" must be true or false, got ${JSON.stringify(value)}`);
}

function readNumber(node: Node, key: string): number | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`context "${key}" must be a positive whole number, got ${JSON.stringify(value)}`);
  }
  return parsed;
}
