import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type AuditContext, commitWithTenantAudit, type TenantAuditChange } from '../audit/tenant-audit.ts';
import type { Clock } from '../clock.ts';
import { type IdGenerator, randomSecret } from '../ids.ts';
import { custodyMetrics } from '../observability/metrics.ts';
import {
  type ApiKeyItem,
  commitKeyItems,
  issueKeyItems,
  ownerPk,
  readKeyByHash,
  readKeyPointer,
  revokeKeyItems,
  touchKeyLastUsed,
} from '../store/api-keys.ts';
import type { Db } from '../store/db.ts';
import { failedConditionIndexes, isConditionFailure } from '../store/errors.ts';
import { toIsoSeconds } from '../util/time.ts';
import { assertUnderKeyCap } from './key-cap.ts';
import type { KeyScope, Principal, Role } from './principal.ts';
import type { UsagePlanKeys } from './usage-plan-keys.ts';

/**
 * API keys are shown once and stored only as a SHA-256 hash. A key is 32 random bytes, so a fast
 * hash is the right tool (nothing to brute-force); the hash is also the lookup key, so there is no
 * string comparison to time.
 */
export const hashApiKey = (apiKey: string): string =>
  createHash('sha256').update(apiKey, 'utf8').digest('hex');

/**
 * The value of the key's API Gateway usage-plan key, which the authorizer returns as
 * `usageIdentifierKey`: the stored hash (64 hex characters; API Gateway takes 20 to 128), so API
 * Gateway never holds a usable secret and the authorizer recomputes it from the bearer token.
 */
export const usageIdentifierKey = (apiKey: string): string => hashApiKey(apiKey);

const newApiKey = (): string => `wso_${randomSecret(32)}`;

/** Touch lastUsedAt at most this often per key: one write per minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** What issuing, installing and revoking keys need: the table and the usage plan's keys. */
export interface KeyAdminDeps {
  db: Db;
  clock: Clock;
  usagePlanKeys: UsagePlanKeys;
  logger: Logger;
}

/** The API Gateway side could not be done; nothing usable was written. The API answers 503. */
export class UsagePlanKeyError extends Error {
  constructor(cause: unknown) {
    super('the API key could not be registered with the API Gateway usage plan', { cause });
    this.name = 'UsagePlanKeyError';
  }
}

/**
 * Order of the two writes, and what a failure leaves behind (issue 7):
 * - Issue: the API Gateway key is created (and put in the plan) first, our key item second. If API
 *   Gateway fails, nothing is written and the caller gets 503: there is never a key of ours without
 *   per-key throttling (with apiKeyRequired it would be a key API Gateway refuses, without it an
 *   unthrottled one). If our write then fails (a condition, a throttle), the API Gateway key is
 *   deleted again; should that delete fail too, the leftover is inert (its value is the hash of a
 *   secret that was never handed out, and the authorizer only names keys it resolved) and is logged
 *   and counted (UsagePlanKeyCleanupFailures) for an operator to delete.
 * - Revoke: our key item is revoked first, so the key stops working at once whatever API Gateway
 *   does; the API Gateway key is deleted after. If that delete fails, the revocation still stands
 *   (204), the failure is logged and counted, and revoking the same key again retries the delete.
 */
async function removeUsageKey(
  deps: Pick<KeyAdminDeps, 'usagePlanKeys' | 'logger'>,
  apiGatewayKeyId: string,
  keyId: string,
  why: string,
): Promise<boolean> {
  try {
    await deps.usagePlanKeys.remove(apiGatewayKeyId);
    return true;
  } catch (error) {
    deps.logger.error('API Gateway key left behind', {
      keyId,
      apiGatewayKeyId,
      why,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    custodyMetrics().usagePlanKeyCleanupFailure();
    return false;
  }
}

async function registerUsageKey(deps: KeyAdminDeps, keyId: string, hash: string): Promise<string> {
  try {
    return await deps.usagePlanKeys.register(keyId, hash);
  } catch (error) {
    deps.logger.error('API Gateway key registration failed', {
      keyId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    throw new UsagePlanKeyError(error);
  }
}

export { ownerPk };

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
 * index into `conditions` that failed. A tenant's key is issued with its `apikey.issued` event on
 * the tenant's audit chain, in that same transaction (the secret and its hash never enter it).
 */
export async function issueApiKey(
  deps: KeyAdminDeps & { ids: IdGenerator },
  request: IssueKeyRequest,
  conditions: { pk: string; sk: string }[] = [],
  audit?: AuditContext,
): Promise<IssueKeyResult> {
  const { db, clock, ids } = deps;
  // Issue 19: a tenant's live keys are capped (the rule lives in key-cap.ts; 422 past it).
  if (request.scope.kind === 'tenant') await assertUnderKeyCap(db, request.scope.tenantId);
  const apiKey = newApiKey();
  const hash = hashApiKey(apiKey);
  const keyId = ids.next();
  // API Gateway first, our item second (see removeUsageKey for why and what a failure leaves).
  const apiGatewayKeyId = await registerUsageKey(deps, keyId, usageIdentifierKey(apiKey));
  const item: ApiKeyItem = {
    keyId,
    name: request.name,
    role: request.role,
    scope: request.scope,
    ...(request.officerId ? { officerId: request.officerId } : {}),
    hash,
    createdAt: toIsoSeconds(clock.now()),
    ...(request.createdBy ? { createdBy: request.createdBy } : {}),
    apiGatewayKeyId,
  };
  const items = issueKeyItems(db.tableName, item, conditions);
  let failedCheck: number | undefined;
  try {
    const { scope } = request;
    if (scope.kind === 'tenant') {
      const change = keyChange('apikey.issued', item, tenantAudit(audit), null, auditView(item));
      const result = await commitWithTenantAudit(deps, scope.tenantId, change, items);
      if (!result.ok) failedCheck = result.failedIndex;
    } else {
      await commitKeyItems(db, items);
    }
  } catch (error) {
    await removeUsageKey(deps, apiGatewayKeyId, keyId, 'issue rolled back: the key item was not written');
    if (!isConditionFailure(error)) throw error;
    return { ok: false, failedCheck: failedConditionIndexes(error)[0] ?? 0 };
  }
  if (failedCheck !== undefined) {
    await removeUsageKey(deps, apiGatewayKeyId, keyId, 'issue rolled back: the key item was not written');
    return { ok: false, failedCheck };
  }
  return { ok: true, key: { keyId, apiKey, role: request.role } };
}

/** Resolves a presented bearer token to its principal, or undefined (unknown, malformed or revoked). */
export async function authenticate(
  deps: { db: Db; clock: Clock },
  token: string,
): Promise<Principal | undefined> {
  const hash = presentedKeyHash(token);
  if (!hash) return undefined;
  return admitKeyItem(deps, await readKeyByHash(deps.db, hash));
}

/** The hash to look a presented token up by, or undefined for a token no key can have. */
export const presentedKeyHash = (token: string): string | undefined =>
  token.length < 24 || token.length > 512 ? undefined : hashApiKey(token);

/**
 * The principal of a key item read by its hash (alone, or with an operation's first read), or
 * undefined if there is none or it is revoked. Records the key's last use (function role's `db`).
 */
export async function admitKeyItem(
  deps: { db: Db; clock: Clock },
  found: object | undefined,
): Promise<Principal | undefined> {
  const item = found as ApiKeyItem | undefined;
  if (!item || item.revokedAt || typeof item.keyId !== 'string') return undefined;
  const now = deps.clock.now();
  const cutoff = toIsoSeconds(new Date(now.getTime() - LAST_USED_RESOLUTION_MS));
  if (!item.lastUsedAt || item.lastUsedAt <= cutoff) {
    await touchKeyLastUsed(deps.db, item.hash, toIsoSeconds(now), cutoff);
  }
  return {
    keyId: item.keyId,
    name: item.name,
    role: item.role,
    scope: item.scope,
    ...(item.officerId ? { officerId: item.officerId } : {}),
  };
}

/**
 * Revokes a key by id within its owner, then deletes its API Gateway key (a failure there is logged
 * and counted, never undoes the revocation). Idempotent: revoking twice is fine, and retries the
 * API Gateway delete. False if unknown. A tenant's key is revoked with its `apikey.revoked` event
 * on the tenant's audit chain, in the same transaction; revoking it again writes no second event.
 */
export async function revokeApiKey(
  deps: KeyAdminDeps & { ids: IdGenerator },
  owner: KeyScope,
  keyId: string,
  revokedBy: string,
  audit?: AuditContext,
): Promise<boolean> {
  const pointer = await readKeyPointer(deps.db, owner, keyId);
  if (!pointer) return false;
  if (pointer.revokedAt) {
    if (pointer.apiGatewayKeyId) {
      await removeUsageKey(deps, pointer.apiGatewayKeyId, keyId, 'revoked again: retrying the delete');
    }
    return true;
  }
  const revokedAt = toIsoSeconds(deps.clock.now());
  const items = revokeKeyItems(deps.db.tableName, pointer, revokedAt, revokedBy);
  if (owner.kind === 'tenant') {
    const after = { ...auditView(pointer), revokedAt, revokedBy };
    const change = keyChange('apikey.revoked', pointer, tenantAudit(audit), auditView(pointer), after);
    // A lost race means the key is revoked already: the other revocation carries the event.
    await commitWithTenantAudit(deps, owner.tenantId, change, items);
  } else {
    try {
      await commitKeyItems(deps.db, items);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  if (pointer.apiGatewayKeyId) {
    await removeUsageKey(deps, pointer.apiGatewayKeyId, keyId, 'revoked: the key item says revokedAt');
  }
  return true;
}

/**
 * Installs an operator-chosen platform-admin key (the local runtime's WSO_ADMIN_KEY, or the first
 * key of a deployment, see scripts/install-admin-key.ts). The key id derives from the key's hash,
 * so installing the same key again rewrites the same records (the local runtime does at every start,
 * into a fresh in-memory usage plan; API Gateway itself refuses a second key of the same value, so
 * the admin-key script always installs a new key); the platform's pointer to it lets an operator
 * revoke it by id when rotating.
 */
export async function installPlatformAdminKey(deps: KeyAdminDeps, apiKey: string): Promise<string> {
  const hash = hashApiKey(apiKey);
  const keyId = `admin-${hash.slice(0, 16)}`;
  // Same order as issueApiKey: the usage-plan key exists before the key can be used.
  const apiGatewayKeyId = await registerUsageKey(deps, keyId, usageIdentifierKey(apiKey));
  const item: ApiKeyItem = {
    keyId,
    name: 'platform admin (installed by the operator)',
    role: 'platform-admin',
    scope: { kind: 'platform' },
    hash,
    createdAt: toIsoSeconds(deps.clock.now()),
    apiGatewayKeyId,
  };
  try {
    await commitKeyItems(deps.db, issueKeyItems(deps.db.tableName, item, [], true));
  } catch (error) {
    await removeUsageKey(deps, apiGatewayKeyId, keyId, 'install rolled back: the key item was not written');
    throw error;
  }
  return keyId;
}

/** A key as its audit events show it: who holds it and what it may do, never the secret or its hash. */
const auditView = (item: ApiKeyItem): Record<string, unknown> => ({
  keyId: item.keyId,
  name: item.name,
  role: item.role,
  scope: item.scope,
  ...(item.officerId ? { officerId: item.officerId } : {}),
  createdAt: item.createdAt,
  ...(item.createdBy ? { createdBy: item.createdBy } : {}),
});

/** A tenant's keys are never changed without knowing who asked (the chain records it). */
function tenantAudit(audit: AuditContext | undefined): AuditContext {
  if (!audit) throw new Error('a tenant API key is issued or revoked only with an audit context');
  return audit;
}

const keyChange = (
  type: 'apikey.issued' | 'apikey.revoked',
  item: ApiKeyItem,
  audit: AuditContext,
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
): TenantAuditChange => ({
  type,
  subject: { kind: 'apikey', id: item.keyId },
  occurredAt: type === 'apikey.issued' ? item.createdAt : String(after.revokedAt),
  ...audit,
  before,
  after,
});
