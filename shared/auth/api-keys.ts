import type { Clock } from '../clock.ts';
import { presentedKeyHash } from '../keys/hashing.ts';
import { type ApiKeyItem, ownerPk, readKeyByHash, touchKeyLastUsed } from '../store/api-keys.ts';
import type { Db } from '../store/db.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { Principal } from './principal.ts';

/**
 * Authentication by API key: a presented bearer token is looked up by its hash (shared/keys/hashing.ts);
 * issuing and revoking keys are use cases of shared/keys/use-cases.ts.
 */

// Kept here too, so callers of the authentication module keep their imports.
export { hashApiKey, presentedKeyHash, usageIdentifierKey } from '../keys/hashing.ts';
export {
  type IssueKeyResult,
  installPlatformAdminKey,
  issueApiKey,
  revokeApiKey,
  UsagePlanKeyError,
} from '../keys/use-cases.ts';
export { ownerPk };

/** Touch lastUsedAt at most this often per key: one write per minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves a presented bearer token to its principal, or undefined (unknown, malformed or revoked). */
export async function authenticate(
  deps: { db: Db; clock: Clock },
  token: string,
): Promise<Principal | undefined> {
  const hash = presentedKeyHash(token);
  if (!hash) return undefined;
  return admitKeyItem(deps, await readKeyByHash(deps.db, hash));
}

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
