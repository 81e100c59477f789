import { declareProblems } from '../errors/declared.ts';

/**
 * Live (unrevoked) API keys one tenant may hold (issue 19 item 3). Every key we issue is also an API
 * Gateway key, and an account has 10,000 per Region (not adjustable): without a cap one county admin
 * could exhaust them for every county. A county needs a handful of vendor and admin keys plus one
 * per WSO officer; revoking a key frees its place.
 */
export const MAX_LIVE_KEYS_PER_TENANT = 100;

/** The rule's name, as the 422 problem's `type` carries it. */
export const KEY_CAP_RULE = 'api-key-cap';

export const keyCapProblems = declareProblems([KEY_CAP_RULE]);

/**
 * Refuses (`api-key-cap`, 422) when the tenant holds the cap of live keys (counted by
 * store/api-keys.ts `countLiveKeys`: one Query of the tenant's key pointers, those not revoked).
 * Checked before the key is created in API Gateway, so a refused issuance leaves nothing behind. Two issuances racing at the last place may
 * both pass: the cap bounds quota use, it is not an invariant a transaction must hold.
 */
export function assertUnderKeyCap(tenantId: string, liveKeys: number): void {
  if (liveKeys >= MAX_LIVE_KEYS_PER_TENANT) {
    throw keyCapProblems.refuse(
      KEY_CAP_RULE,
      `Tenant ${tenantId} already holds ${MAX_LIVE_KEYS_PER_TENANT} live API keys; revoke one to issue another.`,
    );
  }
}
