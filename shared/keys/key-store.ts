import { commitWithTenantAudit, type TenantAuditChange } from '../audit/tenant-audit.ts';
import type { KeyScope } from '../auth/principal.ts';
import type { IdGenerator } from '../ids.ts';
import {
  type ApiKeyItem,
  commitKeyItems,
  countLiveKeys,
  issueKeyItems,
  readKeyPointer,
  revokeKeyItems,
} from '../store/api-keys.ts';
import type { ItemKey } from '../store/batch-read.ts';
import type { Db } from '../store/db.ts';
import { failedConditionIndexes, isConditionFailure } from '../store/errors.ts';

/**
 * Where the key use cases keep keys: the DynamoDB store by default, an in-memory fake in unit
 * tests. A tenant's key changes go on its audit chain in the same transaction (`change`).
 */
export interface KeyStore {
  countLiveKeys(db: Db, tenantId: string, atMost: number): Promise<number>;
  readKeyPointer(db: Db, owner: KeyScope, keyId: string): Promise<ApiKeyItem | undefined>;
  /** Writes the key; the index into `conditions` of a check that failed, or undefined when written. */
  commitIssue(
    deps: { db: Db; ids: IdGenerator },
    item: ApiKeyItem,
    conditions: ItemKey[],
    change: TenantAuditChange | undefined,
    overwrite?: boolean,
  ): Promise<number | undefined>;
  /** Revokes the key; a revocation that lost a race to another is no error (the key is revoked). */
  commitRevoke(
    deps: { db: Db; ids: IdGenerator },
    pointer: ApiKeyItem,
    revokedAt: string,
    revokedBy: string,
    change: TenantAuditChange | undefined,
  ): Promise<void>;
}

const tenantOf = (scope: KeyScope): string | undefined =>
  scope.kind === 'tenant' ? scope.tenantId : undefined;

export const dynamoKeyStore: KeyStore = {
  countLiveKeys,
  readKeyPointer,
  async commitIssue(deps, item, conditions, change, overwrite = false) {
    const items = issueKeyItems(deps.db.tableName, item, conditions, overwrite);
    const tenantId = tenantOf(item.scope);
    try {
      if (change && tenantId) {
        const result = await commitWithTenantAudit(deps, tenantId, change, items);
        return result.ok ? undefined : result.failedIndex;
      }
      await commitKeyItems(deps.db, items);
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return failedConditionIndexes(error)[0] ?? 0;
    }
  },
  async commitRevoke(deps, pointer, revokedAt, revokedBy, change) {
    const items = revokeKeyItems(deps.db.tableName, pointer, revokedAt, revokedBy);
    const tenantId = tenantOf(pointer.scope);
    if (change && tenantId) {
      // A lost race means the key is revoked already: the other revocation carries the event.
      await commitWithTenantAudit(deps, tenantId, change, items);
      return;
    }
    try {
      await commitKeyItems(deps.db, items);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },
};
