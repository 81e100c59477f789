import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { TenantDbProvider } from '../shared/app-deps.ts';
import { createDb, type Db } from '../shared/store/db.ts';
import { enforceTenantPolicy } from './tenant-data-policy.ts';

/**
 * The local stand-in for the STS adapter (shared/runtime/tenant-db.ts): no STS, one DynamoDB client
 * per tenant with the tenant-data role's policy emulated on it (tenant-data-policy.ts), so every
 * request of a tenant key that would be AccessDenied in AWS fails locally too. The clients share
 * the function-role client's HTTP handler and live as long as the runtime.
 */
export class LocalTenantDb implements TenantDbProvider {
  private readonly dbs = new Map<string, Db>();
  private refused: string[] = [];
  private readonly config: () => DynamoDBClientConfig;
  private readonly functionDb: Db;

  constructor(config: () => DynamoDBClientConfig, functionDb: Db) {
    this.config = config;
    this.functionDb = functionDb;
  }

  /** The same Db for a tenant every time: tests add middleware to it (request counters, faults). */
  async forTenant(tenantId: string): Promise<Db> {
    const existing = this.dbs.get(tenantId);
    if (existing) return existing;
    const client = new DynamoDBClient({
      ...this.config(),
      requestHandler: this.functionDb.doc.config.requestHandler,
    });
    enforceTenantPolicy(client.middlewareStack, tenantId, this.functionDb.tableName, (operation, reason) => {
      this.refused.push(`${tenantId}: ${operation}: ${reason}`);
    });
    const db = createDb({ tableName: this.functionDb.tableName, client });
    this.dbs.set(tenantId, db);
    return db;
  }

  /**
   * The requests refused since the last call (and forgets them). The test runtime checks it is empty
   * when a file ends: a refusal is a code path that would fail with AccessDenied in AWS.
   */
  takeRefusals(): string[] {
    const refused = this.refused;
    this.refused = [];
    return refused;
  }
}
