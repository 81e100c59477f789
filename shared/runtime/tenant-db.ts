import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { STSClient } from '@aws-sdk/client-sts';
import type { TenantDbProvider } from '../app-deps.ts';
import { createDb, type Db, dynamoClientConfig } from '../store/db.ts';

/** The session tag the tenant-data role's policy reads (infra/constructs/tenant-data-role.ts). */
export const TENANT_SESSION_TAG = 'tenant';
/** The shortest session STS grants; the cache is per container, so a short one is free. */
export const TENANT_SESSION_SECONDS = 900;
/** Credentials are replaced this long before they expire, so no request signs with dying ones. */
export const REFRESH_BEFORE_EXPIRY_MS = 2 * 60_000;

/**
 * STS AssumeRole `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]` (STS API reference). Anything
 * else in the key or request id becomes `-`; a too-short name is padded, a long one cut.
 */
export function roleSessionName(source: string | undefined): string {
  const cleaned = `wso-api-${source ?? ''}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return cleaned.length >= 2 ? cleaned : 'wso-api';
}

export interface StsTenantDbOptions {
  /** TENANT_DATA_ROLE_ARN: the role whose policy pins DynamoDB to `TENANT#${aws:PrincipalTag/tenant}`. */
  roleArn: string;
  tableName: string;
  /**
   * Absent: made on the first tenant request, from `@aws-sdk/client-sts` loaded then (a chunk of its
   * own in the bundle, infra/bundling.ts), so the API function's init evaluates no STS code.
   */
  sts?: STSClient;
  /**
   * The function role's storage: its HTTP handler (keep-alive pool) is shared by every tenant
   * client, so a new tenant costs one AssumeRole and no new connections, and a replaced client
   * leaves no sockets behind.
   */
  shareConnectionsWith?: Db;
  /** Epoch milliseconds; the system clock unless a test moves it. */
  now?: () => number;
}

interface Entry {
  db: Db;
  refreshAt: number;
}

/**
 * Tenant-scoped storage in AWS (docs/DEPLOY.md §8): per tenant, AssumeRole on the tenant-data role
 * with the one session tag `tenant=<tenantId>`, and a DynamoDB client signing with the returned
 * credentials. Cached per tenant until shortly before the credentials expire: one STS call per
 * tenant per ~13 minutes per container. Concurrent first requests of a tenant share one call.
 */
export class StsTenantDb implements TenantDbProvider {
  private readonly entries = new Map<string, Promise<Entry>>();
  private readonly now: () => number;
  private readonly options: StsTenantDbOptions;
  private sts: STSClient | undefined;

  constructor(options: StsTenantDbOptions) {
    this.options = options;
    this.sts = options.sts;
    this.now = options.now ?? Date.now;
  }

  async forTenant(tenantId: string, sessionName?: string): Promise<Db> {
    const cached = this.entries.get(tenantId);
    if (cached) {
      const entry = await cached.catch(() => undefined);
      if (entry && this.now() < entry.refreshAt) return entry.db;
      // Another request replaced it meanwhile (a refresh or a retry after a failure): use that one.
      const latest = this.entries.get(tenantId);
      if (latest && latest !== cached) return this.forTenant(tenantId, sessionName);
    }
    const pending = this.assume(tenantId, sessionName);
    this.entries.set(tenantId, pending);
    // A failed AssumeRole is not cached: the next request tries again.
    pending.catch(() => {
      if (this.entries.get(tenantId) === pending) this.entries.delete(tenantId);
    });
    return (await pending).db;
  }

  private async assume(tenantId: string, sessionName: string | undefined): Promise<Entry> {
    const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
    this.sts ??= new STSClient({});
    const { Credentials } = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.options.roleArn,
        RoleSessionName: roleSessionName(sessionName),
        Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
        DurationSeconds: TENANT_SESSION_SECONDS,
      }),
    );
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = Credentials ?? {};
    if (!AccessKeyId || !SecretAccessKey || !SessionToken || !Expiration) {
      throw new Error('AssumeRole returned no credentials');
    }
    const requestHandler = this.options.shareConnectionsWith?.doc.config.requestHandler;
    const client = new DynamoDBClient({
      ...dynamoClientConfig({}),
      credentials: {
        accessKeyId: AccessKeyId,
        secretAccessKey: SecretAccessKey,
        sessionToken: SessionToken,
        expiration: Expiration,
      },
      ...(requestHandler ? { requestHandler } : {}),
    });
    return {
      db: createDb({ tableName: this.options.tableName, client }),
      refreshAt: Expiration.getTime() - REFRESH_BEFORE_EXPIRY_MS,
    };
  }
}

/** The API function's tenant storage: the role in TENANT_DATA_ROLE_ARN, the function's own table. */
export function stsTenantDb(roleArn: string, functionDb: Db): StsTenantDb {
  return new StsTenantDb({ roleArn, tableName: functionDb.tableName, shareConnectionsWith: functionDb });
}
