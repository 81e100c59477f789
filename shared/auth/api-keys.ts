import { createHash } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock.ts';
import { type IdGenerator, randomSecret } from '../ids.ts';
import type { Db } from '../store/db.ts';
import { failedConditionIndexes, isConditionFailure } from '../store/errors.ts';
import { keys, tenantPk } from '../store/keys.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { KeyScope, Principal, Role } from './principal.ts';

/**
 * API keys are shown once and stored only as a SHA-256 hash. A key is 32 random bytes, so a fast
 * hash is the right tool (nothing to brute-force); the hash is also the lookup key, so there is no
 * string comparison to time.
 */
export const hashApiKey = (apiKey: string): string =>
  createHash('sha256').update(apiKey, 'utf8').digest('hex');

const newApiKey = (): string => `wso_${randomSecret(32)}`;

/** Touch lastUsedAt at most this often per key: one write per minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

interface ApiKeyItem {
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

export interface IssueKeyRequest {
  name: string;
  role: Role;
  scope: KeyScope;
  officerId?: string;
  createdBy?: string;
}

export interface IssuedKey {
  keyId: string;
  apiKey: string;
  role: Role;
}

export type IssueKeyResult = { ok: true; key: IssuedKey } | { ok: false; failedCheck: number };

/**
 * Writes the key (by hash) and the owner's pointer to it in one transaction, with any extra
 * condition checks the caller needs (the tenant exists, the officer exists). `failedCheck` is the
 * index into `conditions` that failed.
 */
export async function issueApiKey(
  deps: { db: Db; clock: Clock; ids: IdGenerator },
  request: IssueKeyRequest,
  conditions: { pk: string; sk: string }[] = [],
): Promise<IssueKeyResult> {
  const { db, clock, ids } = deps;
  const apiKey = newApiKey();
  const hash = hashApiKey(apiKey);
  const keyId = ids.next();
  const item: ApiKeyItem = {
    keyId,
    name: request.name,
    role: request.role,
    scope: request.scope,
    ...(request.officerId ? { officerId: request.officerId } : {}),
    hash,
    createdAt: toIsoSeconds(clock.now()),
    ...(request.createdBy ? { createdBy: request.createdBy } : {}),
  };
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          ...conditions.map((key) => ({
            ConditionCheck: {
              TableName: db.tableName,
              Key: key,
              ConditionExpression: 'attribute_exists(pk)',
            },
          })),
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.apiKeyByHash(hash), entity: 'ApiKey', ...item },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: db.tableName,
              Item: { ...keys.apiKeyPointer(ownerPk(request.scope), keyId), entity: 'ApiKeyRef', ...item },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return { ok: false, failedCheck: failedConditionIndexes(error)[0] ?? 0 };
  }
  return { ok: true, key: { keyId, apiKey, role: request.role } };
}

/** Resolves a presented bearer token to its principal, or undefined (unknown, malformed or revoked). */
export async function authenticate(
  deps: { db: Db; clock: Clock },
  token: string,
): Promise<Principal | undefined> {
  if (token.length < 24 || token.length > 512) return undefined;
  const hash = hashApiKey(token);
  const { Item } = await deps.db.doc.send(
    // Strongly consistent: a revocation takes effect on the very next call.
    new GetCommand({ TableName: deps.db.tableName, Key: keys.apiKeyByHash(hash), ConsistentRead: true }),
  );
  const item = Item as ApiKeyItem | undefined;
  if (!item || item.revokedAt) return undefined;
  await touchLastUsed(deps, item);
  return {
    keyId: item.keyId,
    name: item.name,
    role: item.role,
    scope: item.scope,
    ...(item.officerId ? { officerId: item.officerId } : {}),
  };
}

async function touchLastUsed(deps: { db: Db; clock: Clock }, item: ApiKeyItem): Promise<void> {
  const now = deps.clock.now();
  const cutoff = toIsoSeconds(new Date(now.getTime() - LAST_USED_RESOLUTION_MS));
  if (item.lastUsedAt && item.lastUsedAt > cutoff) return;
  try {
    await deps.db.doc.send(
      new UpdateCommand({
        TableName: deps.db.tableName,
        Key: keys.apiKeyByHash(item.hash),
        UpdateExpression: 'SET lastUsedAt = :now',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)',
        ExpressionAttributeValues: { ':now': toIsoSeconds(now), ':cutoff': cutoff },
      }),
    );
  } catch (error) {
    // A concurrent request touched it first; last-used is advisory and never fails a request.
    if (!isConditionFailure(error)) throw error;
  }
}

/** Revokes a key by id within its owner. Idempotent: revoking twice is fine. False if unknown. */
export async function revokeApiKey(
  deps: { db: Db; clock: Clock },
  owner: KeyScope,
  keyId: string,
  revokedBy: string,
): Promise<boolean> {
  const pointerKey = keys.apiKeyPointer(ownerPk(owner), keyId);
  const { Item } = await deps.db.doc.send(
    new GetCommand({ TableName: deps.db.tableName, Key: pointerKey, ConsistentRead: true }),
  );
  const pointer = Item as ApiKeyItem | undefined;
  if (!pointer) return false;
  if (pointer.revokedAt) return true;
  const values = { ':now': toIsoSeconds(deps.clock.now()), ':by': revokedBy };
  const revoke = 'SET revokedAt = :now, revokedBy = :by';
  await deps.db.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: deps.db.tableName,
            Key: pointerKey,
            UpdateExpression: revoke,
            ExpressionAttributeValues: values,
          },
        },
        {
          Update: {
            TableName: deps.db.tableName,
            Key: keys.apiKeyByHash(pointer.hash),
            UpdateExpression: revoke,
            ExpressionAttributeValues: values,
          },
        },
      ],
    }),
  );
  return true;
}

/**
 * Installs an operator-chosen platform-admin key (the local runtime's WSO_ADMIN_KEY, or the first
 * key of a deployment, see scripts/install-admin-key.ts). The key id derives from the key's hash,
 * so installing the same key again rewrites the same records; the platform's pointer to it lets
 * an operator revoke it by id when rotating.
 */
export async function installPlatformAdminKey(
  deps: { db: Db; clock: Clock },
  apiKey: string,
): Promise<string> {
  const hash = hashApiKey(apiKey);
  const keyId = `admin-${hash.slice(0, 16)}`;
  const item: ApiKeyItem = {
    keyId,
    name: 'platform admin (installed by the operator)',
    role: 'platform-admin',
    scope: { kind: 'platform' },
    hash,
    createdAt: toIsoSeconds(deps.clock.now()),
  };
  await deps.db.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: deps.db.tableName,
            Item: { ...keys.apiKeyByHash(hash), entity: 'ApiKey', ...item },
          },
        },
        {
          Put: {
            TableName: deps.db.tableName,
            Item: { ...keys.apiKeyPointer(keys.platformPk, keyId), entity: 'ApiKeyRef', ...item },
          },
        },
      ],
    }),
  );
  return keyId;
}
