/**
 * The environment each Lambda function reads: one typed definition, used by the CDK stacks that set
 * it (`environmentFor`) and by the handlers that read it (`readEnvironment`), so a function gets
 * exactly the settings it uses and a variable cannot be set under one name and read under another.
 * No AWS SDK or CDK import here: both sides load this file.
 *
 * `required`: init fails without it. `optional`: the one feature that needs it fails on use (or, for
 * tunables, a default applies). STAGE, LOG_LEVEL, POWERTOOLS_SERVICE_NAME and NODE_OPTIONS are set
 * on every function by infra/constructs/custody-function.ts (COMMON_ENVIRONMENT).
 */

type Presence = 'required' | 'optional';

const SCHEDULE_SETTINGS = {
  SCHEDULE_GROUP: 'required',
  /** The hold-timer function: the schedules' target. */
  HOLD_TIMER_ARN: 'required',
  /** The role Scheduler assumes to invoke the target. */
  SCHEDULER_ROLE_ARN: 'required',
  /** Where Scheduler parks events it could not deliver. */
  SCHEDULER_DLQ_ARN: 'optional',
} as const;

export const FUNCTION_ENVIRONMENT = {
  api: {
    TABLE_NAME: 'required',
    ...SCHEDULE_SETTINGS,
    /** Redeliver enqueues on the webhook queue (checked on use). */
    WEBHOOK_QUEUE_URL: 'optional',
    /** The role tenant keys' requests assume (docs/DEPLOY.md §8). */
    TENANT_DATA_ROLE_ARN: 'required',
    /** The KMS key webhook signing secrets are sealed with (issue 19 item 8). */
    WEBHOOK_SECRETS_KEY_ID: 'required',
    /** People's sign-in to the HTML pages (issue 18): all three, or the pages take keys only. */
    SIGN_IN_ISSUER: 'optional',
    SIGN_IN_CLIENT_ID: 'optional',
    SIGN_IN_BASE_URL: 'optional',
  },
  /** Platform, oversight and API-key routes (issue 19, functions/api/split.ts). */
  adminApi: {
    TABLE_NAME: 'required',
    ...SCHEDULE_SETTINGS,
    WEBHOOK_QUEUE_URL: 'optional',
    /** County admins' requests here still run on the tenant role (docs/DEPLOY.md §9). */
    TENANT_DATA_ROLE_ARN: 'required',
    /** Key issuance registers each key in this usage plan (checked on use). */
    USAGE_PLAN_ID: 'optional',
    /** Audit routes: the checkpoint signing key (public half only) and archive (checked on use). */
    AUDIT_KEY_ID: 'optional',
    AUDIT_BUCKET: 'optional',
    /** People's sign-in to the HTML pages (issue 18): all three, or the pages take keys only. */
    SIGN_IN_ISSUER: 'optional',
    SIGN_IN_CLIENT_ID: 'optional',
    SIGN_IN_BASE_URL: 'optional',
  },
  authorizer: { TABLE_NAME: 'required' },
  holdTimer: { TABLE_NAME: 'required', ...SCHEDULE_SETTINGS },
  sweeper: { TABLE_NAME: 'required', ...SCHEDULE_SETTINGS },
  /** Outbox records become deliveries on the webhook queue; no timer is ever armed here. */
  stream: { TABLE_NAME: 'required', WEBHOOK_QUEUE_URL: 'optional' },
  webhookSender: {
    TABLE_NAME: 'required',
    WEBHOOK_QUEUE_URL: 'required',
    WEBHOOK_DLQ_URL: 'required',
    /** Opens the sealed signing secrets (issue 19 item 8). */
    WEBHOOK_SECRETS_KEY_ID: 'required',
    // Delivery tunables (shared/webhooks/settings.ts); unset: the defaults.
    WEBHOOK_TIMEOUT_MS: 'optional',
    WEBHOOK_MAX_ATTEMPTS: 'optional',
    WEBHOOK_CONCURRENCY: 'optional',
  },
  /** The audit sealer: reads and copies checkpoints in the table, signs with KMS, archives to S3. */
  sealer: { TABLE_NAME: 'required', AUDIT_KEY_ID: 'required', AUDIT_BUCKET: 'required' },
  /** The daily jobs (issue 17): table only; notices leave through the outbox and the stream function. */
  dailyJobs: { TABLE_NAME: 'required' },
} as const satisfies Record<string, Readonly<Record<string, Presence>>>;

/** Set on every function by the construct itself, read by the runtime of every function. */
export const COMMON_ENVIRONMENT = {
  STAGE: 'optional',
  POWERTOOLS_SERVICE_NAME: 'optional',
} as const satisfies Readonly<Record<string, Presence>>;

export type FunctionName = keyof typeof FUNCTION_ENVIRONMENT;

type Spec<F extends FunctionName> = (typeof FUNCTION_ENVIRONMENT)[F];
type RequiredName<S> = { [K in keyof S]: S[K] extends 'required' ? K : never }[keyof S];
type OptionalName<S> = Exclude<keyof S, RequiredName<S>>;

/** The variables of one function: required ones are strings, optional ones may be absent. */
export type FunctionEnvironment<F extends FunctionName> = {
  readonly [K in RequiredName<Spec<F>>]: string;
} & { readonly [K in OptionalName<Spec<F>>]?: string | undefined };

type CommonEnvironment = { readonly [K in keyof typeof COMMON_ENVIRONMENT]?: string | undefined };

/**
 * The stacks' side: the variables the function reads, typed (a missing required one or an unknown
 * one does not compile). Absent optional values are left out.
 */
export function environmentFor<F extends FunctionName>(
  _fn: F,
  values: FunctionEnvironment<F>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * The runtime's side: the function's variables from `env` (process.env in Lambda), read once at
 * init. A required one that is missing or empty fails init, as a misconfigured stack should.
 */
export function readEnvironment<F extends FunctionName>(
  fn: F,
  env: Readonly<Record<string, string | undefined>> = process.env,
): FunctionEnvironment<F> & CommonEnvironment {
  const spec: Readonly<Record<string, Presence>> = { ...COMMON_ENVIRONMENT, ...FUNCTION_ENVIRONMENT[fn] };
  const values: Record<string, string> = {};
  for (const [name, presence] of Object.entries(spec)) {
    const value = env[name];
    if (value) values[name] = value;
    else if (presence === 'required') throw new Error(`environment variable ${name} is required`);
  }
  return values as FunctionEnvironment<F> & CommonEnvironment;
}
