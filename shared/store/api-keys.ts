import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyScope, Role } from '../auth/principal.ts';
import { type ItemKey, readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import type { TransactItem } from './holds.ts';
import { keys, tenantPk } from './keys.ts';
import { prefixQuery, queryPages } from './pagination.ts';

/**
 * API-key items: one by the SHA-256 of the secret (`APIKEY#<hash>`, what authentication reads) and
 * the owner's pointer to it (`APIKEYREF#<keyId>` in the owner's partition, for revocation by id).
 * This module owns their keys, attributes and conditions; use cases live in shared/auth/api-keys.ts.
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

export async function readKeyPointer(
  db: Db,
  owner: KeyScope,
  keyId: string,
): Promise<ApiKeyItem | undefined> {
  const Item = await readItem(db, keys.apiKeyPointer(ownerPk(owner), keyId), { consistent: true });
  return Item as ApiKeyItem | undefined;
}

/**
 * Intent: store a new key (by hash, and the owner's pointer), after the caller's existence checks
 * (`conditions`, each `attribute_exists`). `overwrite` only for an operator-installed key, whose id
 * derives from its hash.
 */
export function issueKeyItems(
  tableName: string,
  item: ApiKeyItem,
  conditions: ItemKey[] = [],
  overwrite = false,
): TransactItem[] {
  const guard = overwrite ? {} : { ConditionExpression: 'attribute_not_exists(pk)' };
  return [
    ...conditions.map((key) => ({
      ConditionCheck: { TableName: tableName, Key: key, ConditionExpression: 'attribute_exists(pk)' },
    })),
    {
      Put: {
        TableName: tableName,
        Item: { ...keyRefByHash(item.hash), entity: 'ApiKey', ...item },
        ...guard,
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: { ...keys.apiKeyPointer(ownerPk(item.scope), item.keyId), entity: 'ApiKeyRef', ...item },
        ...guard,
      },
    },
  ];
}

/** Intent: revoke a key (pointer and hash item); of two revocations racing, one changes the key. */
export function revokeKeyItems(
  tableName: string,
  pointer: ApiKeyItem,
  revokedAt: string,
  revokedBy: string,
): TransactItem[] {
  const values = { ':now': revokedAt, ':by': revokedBy };
  const revoke = 'SET revokedAt = :now, revokedBy = :by';
  return [
    {
      Update: {
        TableName: tableName,
        Key: keys.apiKeyPointer(ownerPk(pointer.scope), pointer.keyId),
        UpdateExpression: revoke,
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: values,
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: keyRefByHash(pointer.hash),
        UpdateExpression: revoke,
        ExpressionAttributeValues: values,
      },
    },
  ];
}

/** Commits key items that go on no tenant's audit chain (platform and state keys). */
export async function commitKeyItems(db: Db, items: TransactItem[]): Promise<void> {
  await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
}

/**
 * How many unrevoked keys the tenant holds, counted up to `atMost` (one Query of the tenant's key
 * pointers, `APIKEYREF#`; paging stops once the count reaches `atMost`).
 */
export async function countLiveKeys(db: Db, tenantId: string, atMost: number): Promise<number> {
  const pk = tenantPk(tenantId);
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
