import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyScope, Role } from '../auth/principal.ts';
import { type ItemKey, readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import { keys, tenantPk } from './keys.ts';
import { prefixQuery, queryPages } from './pagination.ts';
import { type Intent, intent, putNew, type StoredItem } from './unit-of-work.ts';

/**
 * API-key items: one by the SHA-256 of the secret (`APIKEY#<hash>`, what authentication reads) and
 * the owner's pointer to it (`APIKEYREF#<keyId>` in the owner's partition, for revocation by id).
 * This module owns their keys, attributes and conditions (`apiKeyIntents`); use cases live in
 * shared/keys/use-cases.ts.
 */
export interface ApiKeyItem {
  keyId: string;
  name: string;
  role: Role;
  scope: KeyScope;
  officerId?: string;
  hash: string;
  createdAt: string;
  createdBy?: string;
  revokedAt?: string;
  lastUsedAt?: string;
  /** API Gateway's id of the key's usage-plan key (absent on keys issued before issue 7). */
  apiGatewayKeyId?: string;
}

export const ownerPk = (scope: KeyScope): string => {
  switch (scope.kind) {
    case 'platform':
      return keys.platformPk;
    case 'tenant':
      return tenantPk(scope.tenantId);
    case 'state':
      return keys.statePk(scope.state);
  }
};

/** The key item authentication reads: alone, or within an operation's first BatchGetItem. */
export const keyRefByHash = (hash: string): ItemKey => keys.apiKeyByHash(hash);

/** Strongly consistent: a revocation takes effect on the very next call. */
export async function readKeyByHash(db: Db, hash: string): Promise<ApiKeyItem | undefined> {
  const Item = await readItem(db, keyRefByHash(hash), { consistent: true });
  return Item as ApiKeyItem | undefined;
}

/** Records the key's last use unless a request did within the resolution; never fails a request. */
export async function touchKeyLastUsed(db: Db, hash: string, now: string, cutoff: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keyRefByHash(hash),
        UpdateExpression: 'SET lastUsedAt = :now',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)',
        ExpressionAttributeValues: { ':now': now, ':cutoff': cutoff },
      }),
    );
  } catch (error) {
    // A concurrent request touched it first; last-used is advisory.
    if (!isConditionFailure(error)) throw error;
  }
}

/** The owner's pointer to one of its keys (strongly consistent), for revocation by id. */
export const keyPointerKey = (owner: KeyScope, keyId: string): ItemKey =>
  keys.apiKeyPointer(ownerPk(owner), keyId);

export async function readKeyPointer(
  db: Db,
  owner: KeyScope,
  keyId: string,
): Promise<ApiKeyItem | undefined> {
  const Item = await readItem(db, keyPointerKey(owner, keyId), { consistent: true });
  return Item as ApiKeyItem | undefined;
}

/** Every item of a key: by hash (what authentication reads) and the owner's pointer (by id). */
const keyItemsOf = (item: ApiKeyItem): ItemKey[] => [
  keyRefByHash(item.hash),
  keys.apiKeyPointer(ownerPk(item.scope), item.keyId),
];

export const apiKeyIntents = {
  /**
   * Store a new key: its item by hash and the owner's pointer, each only if absent. `overwrite`
   * only for an operator-installed key, whose id derives from its hash (installing it again
   * rewrites the same items).
   */
  store: (tableName: string, item: ApiKeyItem, overwrite = false): Intent[] => {
    const [byHash, pointer] = keyItemsOf(item) as [ItemKey, ItemKey];
    const put = (key: ItemKey, entity: string, rule: string): Intent =>
      overwrite
        ? intent('apikeys', 'none', { Put: { TableName: tableName, Item: { ...key, entity, ...item } } })
        : putNew('apikeys', rule, tableName, { ...key, entity, ...item });
    return [put(byHash, 'ApiKey', 'key-hash-new'), put(pointer, 'ApiKeyRef', 'key-id-new')];
  },

  /**
   * Revoke a key (pointer and hash item): the pointer only while not revoked yet, so of two
   * revocations racing one changes the key (and writes its audit event).
   */
  revoke: (tableName: string, pointer: ApiKeyItem, revokedAt: string, revokedBy: string): Intent[] => {
    const [byHash, byId] = keyItemsOf(pointer) as [ItemKey, ItemKey];
    const values = { ':now': revokedAt, ':by': revokedBy };
    const UpdateExpression = 'SET revokedAt = :now, revokedBy = :by';
    const after =
      (key: ItemKey) =>
      (current: StoredItem | undefined): StoredItem => ({ ...key, ...current, revokedAt, revokedBy });
    return [
      intent(
        'apikeys',
        'key-not-revoked',
        {
          Update: {
            TableName: tableName,
            Key: byId,
            UpdateExpression,
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
            ExpressionAttributeValues: values,
          },
        },
        { holds: (current) => current !== undefined && current.revokedAt === undefined, after: after(byId) },
      ),
      intent(
        'apikeys',
        'none',
        {
          Update: { TableName: tableName, Key: byHash, UpdateExpression, ExpressionAttributeValues: values },
        },
        { after: after(byHash) },
      ),
    ];
  },
};

/**
 * How many unrevoked keys the tenant holds, counted up to `atMost` (one Query of the tenant's key
 * pointers, `APIKEYREF#`; paging stops once the count reaches `atMost`).
 */
export async function countLiveKeys(db: Db, tenantId: string, atMost: number): Promise<number> {
  const pk = tenantPk(tenantId);
  if (db.port) {
    const pointers = await db.port.list(pk, keys.apiKeyPointer(pk, '').sk);
    return Math.min(atMost, pointers.filter((pointer) => pointer.revokedAt === undefined).length);
  }
  let live = 0;
  const request = prefixQuery(pk, keys.apiKeyPointer(pk, '').sk, {
    FilterExpression: 'attribute_not_exists(revokedAt)',
    Select: 'COUNT',
    ConsistentRead: true,
  });
  for await (const page of queryPages(db, request)) {
    live += page.Count ?? 0;
    if (live >= atMost) break;
  }
  return live;
}
