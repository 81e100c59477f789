import type { Logger } from '@aws-lambda-powertools/logger';
import type { AuditPorts } from './audit/ports.ts';
import type { UsagePlanKeys } from './auth/usage-plan-keys.ts';
import type { Clock } from './clock.ts';
import type { IdGenerator } from './ids.ts';
import type { SignIn } from './sessions/sign-in.ts';
import type { Db } from './store/db.ts';
import type { HoldTimers } from './timers/hold-timers.ts';
import type { DeliveryQueue } from './webhooks/delivery-queue.ts';
import type { SecretBox } from './webhooks/secret-box.ts';

/** Where the code runs. Only adapters and a few explicit switches differ between the two. */
export interface RuntimeConfig {
  stage: string;
  /** True in the embedded local runtime: allows http://127.0.0.1 webhooks and the /_local routes. */
  local: boolean;
}

/** Everything a handler needs from the outside world: storage, time, ids, logs, and config. */
export interface AppDeps {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  config: RuntimeConfig;
  /** One-shot hold timers (EventBridge Scheduler, or the local Scheduler). */
  timers: HoldTimers;
  /** Webhook deliveries to send (SQS + the webhook-sender Lambda, or the local virtual-clock queue). */
  deliveries: DeliveryQueue;
  /** The usage plan's API Gateway keys, one per issued API key (API Gateway in AWS, in memory locally). */
  usagePlanKeys: UsagePlanKeys;
  /** Seals webhook signing secrets per tenant (KMS in AWS, a local master key locally). */
  webhookSecrets: SecretBox;
  /**
   * Storage for tenant principals, pinned to one tenant's partition (API function only: STS in AWS,
   * the local runtime's policy emulation locally). Absent: every request uses `db`.
   */
  tenantDb?: TenantDbProvider;
  /** Checkpoint signer and archive (audit routes and the sealer): KMS + S3 in AWS, key file + files locally. */
  audit?: AuditPorts;
  /** People's OpenID Connect sign-in for the HTML pages (API function only). Absent: pages take keys only. */
  signIn?: SignIn;
}

/**
 * A `Db` whose credentials reach only `TENANT#<tenantId>` items (`dynamodb:LeadingKeys`, DESIGN.md §9):
 * no other partition, no index, no Scan. `sessionName` identifies the caller in the audit trail
 * (CloudTrail's role session name); adapters may ignore it.
 */
export interface TenantDbProvider {
  forTenant(tenantId: string, sessionName?: string): Promise<Db>;
}
