import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { GLOBAL_INDEXES } from '../shared/store/table-definition.ts';

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
  /**
   * TLS security policy of the REST API (issue 19): an enhanced `SecurityPolicy_*` policy (then the
   * endpoint access mode is STRICT) or the legacy `TLS_1_2`. TLS_1_0, a Regional API's default, is refused.
   */
  readonly apiSecurityPolicy: string;
  /** AWS_USE_FIPS_ENDPOINT on every function; the stacks then refuse Regions without FIPS endpoints. */
  readonly fipsEndpoints: boolean;
  /** Reserved concurrency per function (issue 19 item 5): a floor for the timers, a cap for the API. */
  readonly concurrency: {
    readonly holdTimer: number;
    readonly sweeper: number;
    readonly api: number;
    readonly adminApi: number;
    readonly authorizer: number;
  };
  /**
   * `stack`: the app creates a CloudTrail trail with data events for the table (and management
   * events, where every KMS use is recorded); `organization`: an organization trail already records
   * them (docs/DEPLOY.md lists what it must select), and the app creates none.
   */
  readonly cloudTrail: 'stack' | 'organization';
  /** A backup vault in another account that every recovery point is copied to (issue 19 item 6). */
  readonly backupCopyVaultArn?: string;
  /**
   * Global secondary indexes left out of this deploy (context `deferIndexes`, comma-separated
   * names). DynamoDB builds one index per table update and CloudFormation refuses more in one: when
   * a release adds two to a deployed table, deploy once deferring all but one, then again.
   */
  readonly deferIndexes: readonly string[];
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
  // TLS 1.3 and 1.2, FIPS-validated module (AWS-LC), forward secrecy, hybrid post-quantum key exchange.
  apiSecurityPolicy: 'SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09',
  fipsEndpoints: true,
  holdTimerConcurrency: 100,
  sweeperConcurrency: 2,
  apiConcurrency: 200,
  adminApiConcurrency: 20,
  authorizerConcurrency: 100,
  cloudTrail: 'stack',
} as const;

/** Stages that may deploy without an alarm e-mail (nobody is paged for them). */
export const STAGES_WITHOUT_ALARM_EMAIL: readonly string[] = ['dev'];

/** Security policies that still accept TLS 1.0 or 1.1: never on this API. */
const LEGACY_TLS_POLICIES = new Set(['TLS_1_0']);

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
  if (alarmEmail === undefined && !STAGES_WITHOUT_ALARM_EMAIL.includes(stage)) {
    // An alarm nobody receives is no alarm: every stage but dev must page someone.
    throw new Error(`context "alarmEmail" is required for stage "${stage}" (only dev may omit it)`);
  }
  const apiSecurityPolicy = readString(node, 'apiSecurityPolicy') ?? CONTEXT_DEFAULTS.apiSecurityPolicy;
  if (
    LEGACY_TLS_POLICIES.has(apiSecurityPolicy) ||
    !/^(SecurityPolicy_TLS1[23]_\w+|TLS_1_2)$/.test(apiSecurityPolicy)
  ) {
    throw new Error(
      `context "apiSecurityPolicy" must be TLS_1_2 or an enhanced SecurityPolicy_TLS13_* policy, got "${apiSecurityPolicy}"`,
    );
  }
  const cloudTrail = readString(node, 'cloudTrail') ?? CONTEXT_DEFAULTS.cloudTrail;
  if (cloudTrail !== 'stack' && cloudTrail !== 'organization') {
    throw new Error(`context "cloudTrail" must be "stack" or "organization", got "${cloudTrail}"`);
  }
  const backupCopyVaultArn = readString(node, 'backupCopyVaultArn');
  if (
    backupCopyVaultArn !== undefined &&
    !/^arn:aws[\w-]*:backup:[\w-]+:\d{12}:backup-vault:[\w.-]+$/.test(backupCopyVaultArn)
  ) {
    throw new Error(`context "backupCopyVaultArn" is not a backup vault ARN: "${backupCopyVaultArn}"`);
  }
  const deferIndexes = (readString(node, 'deferIndexes') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknownIndex = deferIndexes.find((name) => !GLOBAL_INDEXES.some((index) => index.indexName === name));
  if (unknownIndex !== undefined) {
    throw new Error(
      `context "deferIndexes" names no index of the table: "${unknownIndex}" (indexes: ${GLOBAL_INDEXES.map((index) => index.indexName).join(', ')})`,
    );
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
    apiSecurityPolicy,
    fipsEndpoints: readBoolean(node, 'fipsEndpoints') ?? CONTEXT_DEFAULTS.fipsEndpoints,
    concurrency: {
      holdTimer: readNumber(node, 'holdTimerConcurrency') ?? CONTEXT_DEFAULTS.holdTimerConcurrency,
      sweeper: readNumber(node, 'sweeperConcurrency') ?? CONTEXT_DEFAULTS.sweeperConcurrency,
      api: readNumber(node, 'apiConcurrency') ?? CONTEXT_DEFAULTS.apiConcurrency,
      adminApi: readNumber(node, 'adminApiConcurrency') ?? CONTEXT_DEFAULTS.adminApiConcurrency,
      authorizer: readNumber(node, 'authorizerConcurrency') ?? CONTEXT_DEFAULTS.authorizerConcurrency,
    },
    cloudTrail,
    ...(backupCopyVaultArn === undefined ? {} : { backupCopyVaultArn }),
    deferIndexes,
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
