import type { Logger } from '@aws-lambda-powertools/logger';
import { type AuditContext, commitAudited, type TenantAuditChange } from '../audit/tenant-audit.ts';
import type { KeyScope, Principal, Role } from '../auth/principal.ts';
import type { UsagePlanKeys } from '../auth/usage-plan-keys.ts';
import type { Clock } from '../clock.ts';
import { DomainError, notFound } from '../errors/catalogue.ts';
import { declareProblems } from '../errors/declared.ts';
import type { IdGenerator } from '../ids.ts';
import { custodyMetrics } from '../observability/metrics.ts';
import {
  type ApiKeyItem,
  apiKeyIntents,
  countLiveKeys,
  keyPointerKey,
  ownerPk,
  readKeyPointer,
} from '../store/api-keys.ts';
import type { Db } from '../store/db.ts';
import { officerIntents } from '../store/officer-intents.ts';
import { tenantIntents } from '../store/tenant-intents.ts';
import {
  anyRefusal,
  type Intent,
  type Refusal,
  TransactionRefused,
  UnitOfWork,
} from '../store/unit-of-work.ts';
import { toIsoSeconds } from '../util/time.ts';
import { hashApiKey, newApiKey, usageIdentifierKey } from './hashing.ts';
import { assertUnderKeyCap, keyCapProblems, MAX_LIVE_KEYS_PER_TENANT } from './key-cap.ts';

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

export type IssueKeyResult = { ok: true; key: IssuedKey } | { ok: false; refusal: Refusal };

/**
 * Writes the key (by hash) and the owner's pointer to it in one unit of work, with any checks the
 * caller needs as intents of the same transaction (the tenant exists, the officer exists); a check
 * that refused is returned as its refusal. A tenant's key is issued with its `apikey.issued` event
 * on the key's audit chain, in that same transaction (the secret and its hash never enter it).
 */
export async function issueApiKey(
  deps: KeyAdminDeps & { ids: IdGenerator },
  request: IssueKeyRequest,
  checks: Intent[] = [],
  audit?: AuditContext,
): Promise<IssueKeyResult> {
  const { db, clock, ids } = deps;
  // Issue 19: a tenant's live keys are capped (the rule lives in key-cap.ts; 422 past it). Counted
  // before the key is created in API Gateway, so a refused issuance leaves nothing behind.
  if (request.scope.kind === 'tenant') {
    const { tenantId } = request.scope;
    assertUnderKeyCap(tenantId, await countLiveKeys(db, tenantId, MAX_LIVE_KEYS_PER_TENANT));
  }
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
  const intents = [...checks, ...apiKeyIntents.store(db.tableName, item)];
  try {
    if (request.scope.kind === 'tenant') {
      const change = keyChange('apikey.issued', item, tenantAudit(audit), null, auditView(item));
      await commitAudited(deps, request.scope.tenantId, change.subject, {}, () => ({
        change,
        intents,
        result: undefined,
      }));
    } else {
      await new UnitOfWork(db).add(...intents).commit();
    }
  } catch (error) {
    await removeUsageKey(deps, apiGatewayKeyId, keyId, 'issue rolled back: the key item was not written');
    const refusal = error instanceof TransactionRefused ? error.refusals[0] : undefined;
    if (refusal) return { ok: false, refusal };
    throw error;
  }
  return { ok: true, key: { keyId, apiKey, role: request.role } };
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
  const revokedAt = toIsoSeconds(deps.clock.now());
  const pointer =
    owner.kind === 'tenant'
      ? await revokeOnChain(deps, owner.tenantId, keyId, revokedAt, revokedBy, tenantAudit(audit))
      : await revokeOffChain(deps, owner, keyId, revokedAt, revokedBy);
  if (!pointer) return false;
  if (pointer.apiGatewayKeyId) {
    const why = pointer.revokedAt
      ? 'revoked again: retrying the delete'
      : 'revoked: the key item says revokedAt';
    await removeUsageKey(deps, pointer.apiGatewayKeyId, keyId, why);
  }
  return true;
}

/**
 * A county's key: read with its audit head, revoked with its `apikey.revoked` event in one unit of
 * work. A revocation that lost to another is decided again: the fresh read shows the key revoked,
 * and no second event is written. The pointer as read (with `revokedAt` if it was revoked before).
 */
async function revokeOnChain(
  deps: KeyAdminDeps & { ids: IdGenerator },
  tenantId: string,
  keyId: string,
  revokedAt: string,
  revokedBy: string,
  audit: AuditContext,
): Promise<ApiKeyItem | undefined> {
  const { result } = await commitAudited(
    deps,
    tenantId,
    { kind: 'apikey', id: keyId },
    { pointer: keyPointerKey({ kind: 'tenant', tenantId }, keyId) },
    (found) => {
      const pointer = found.pointer as ApiKeyItem | undefined;
      if (!pointer || pointer.revokedAt) return { unchanged: pointer };
      const after = { ...auditView(pointer), revokedAt, revokedBy };
      return {
        change: keyChange('apikey.revoked', pointer, audit, auditView(pointer), after),
        intents: apiKeyIntents.revoke(deps.db.tableName, pointer, revokedAt, revokedBy),
        result: pointer,
      };
    },
    anyRefusal,
  );
  return result;
}

/** A platform or state key (on no county's chain); of two revocations racing, one changes it. */
async function revokeOffChain(
  deps: KeyAdminDeps,
  owner: KeyScope,
  keyId: string,
  revokedAt: string,
  revokedBy: string,
): Promise<ApiKeyItem | undefined> {
  const pointer = await readKeyPointer(deps.db, owner, keyId);
  if (!pointer || pointer.revokedAt) return pointer;
  try {
    await new UnitOfWork(deps.db)
      .add(...apiKeyIntents.revoke(deps.db.tableName, pointer, revokedAt, revokedBy))
      .commit();
  } catch (error) {
    if (!(error instanceof TransactionRefused && error.by('apikeys', 'key-not-revoked'))) throw error;
  }
  return pointer;
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
    await new UnitOfWork(deps.db).add(...apiKeyIntents.store(deps.db.tableName, item, true)).commit();
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

/** Who issued or revoked a key, as its items record it. */
export const creatorOf = (principal: Principal | undefined): string =>
  principal ? `${principal.role}:${principal.keyId}@${ownerPk(principal.scope)}` : 'anonymous';

/**
 * Issuing registers the key's API Gateway usage-plan key first; when API Gateway fails (its
 * CreateApiKey allows 5 calls per second per account) nothing was written, so the caller may
 * simply retry: `temporarily-unavailable` (503).
 */
async function orUnavailable(issuing: Promise<IssueKeyResult>): Promise<IssueKeyResult> {
  try {
    return await issuing;
  } catch (error) {
    if (error instanceof UsagePlanKeyError) {
      throw new DomainError(
        'temporarily-unavailable',
        'The key could not be registered; nothing was issued, retry.',
      );
    }
    throw error;
  }
}

export const issueTenantKeyProblems = declareProblems([
  'officer-not-found',
  ...keyCapProblems.problems,
  'temporarily-unavailable',
]);

/** A county's key (shown once): the tenant, and a wso-officer key's officer, must exist. */
export async function issueTenantKey(
  deps: KeyAdminDeps & { ids: IdGenerator },
  tenantId: string,
  request: { name: string; role: Role; officerId?: string | undefined },
  principal: Principal | undefined,
  audit: AuditContext,
): Promise<IssuedKey> {
  const checks = [tenantIntents.mustExist(deps.db.tableName, tenantId)];
  if (request.officerId)
    checks.push(officerIntents.mustExist(deps.db.tableName, tenantId, request.officerId));
  const result = await orUnavailable(
    issueApiKey(
      deps,
      {
        name: request.name,
        role: request.role,
        scope: { kind: 'tenant', tenantId },
        ...(request.officerId ? { officerId: request.officerId } : {}),
        createdBy: creatorOf(principal),
      },
      checks,
      audit,
    ),
  );
  if (!result.ok) {
    if (result.refusal.module === 'tenants') throw notFound('The tenant');
    if (result.refusal.module !== 'officers')
      throw new Error(`key issue refused by ${result.refusal.module}`);
    throw issueTenantKeyProblems.refuse(
      'officer-not-found',
      `Officer ${request.officerId} is not on this county's roster.`,
    );
  }
  return result.key;
}

export const issueStateKeyProblems = declareProblems(['temporarily-unavailable']);

/** A state-oversight key (shown once). */
export async function issueStateKey(
  deps: KeyAdminDeps & { ids: IdGenerator },
  state: string,
  name: string,
  principal: Principal | undefined,
): Promise<IssuedKey> {
  const result = await orUnavailable(
    issueApiKey(deps, {
      name,
      role: 'state-oversight',
      scope: { kind: 'state', state },
      createdBy: creatorOf(principal),
    }),
  );
  if (!result.ok) throw new Error('state key issue failed a condition it does not have');
  return result.key;
}

/** Revokes a county's key by id; `not-found` for a key the county does not hold. */
export async function revokeTenantKey(
  deps: KeyAdminDeps & { ids: IdGenerator },
  tenantId: string,
  keyId: string,
  principal: Principal | undefined,
  audit: AuditContext,
): Promise<void> {
  const revoked = await revokeApiKey(deps, { kind: 'tenant', tenantId }, keyId, creatorOf(principal), audit);
  if (!revoked) throw notFound('The API key');
}
