import type { ItemKey } from '../store/batch-read.ts';
import type { Actor } from '../store/holds.ts';
import type { Principal } from './principal.ts';

/**
 * Who asks for a use case, possibly not checked yet. To spare a round trip (DESIGN.md §7), the
 * HTTP edge may defer the API-key check: the use case then reads `keyRef` in the same BatchGetItem
 * as its own first read and hands the item to `admit` BEFORE it decides or writes anything. `admit`
 * throws (unknown or revoked key, other tenant, wrong role) exactly as an up-front check would.
 */
export interface Caller {
  /** The caller's API-key item, to read with the operation's first read; absent when already checked. */
  readonly keyRef?: ItemKey;
  admit(keyItem: Record<string, unknown> | undefined): Promise<Actor>;
}

export const actorOf = (principal: Principal): Extract<Actor, { kind: 'credential' }> => ({
  kind: 'credential',
  keyId: principal.keyId,
  role: principal.role,
});

/** A caller checked already (an up-front key check, or the platform's own timer and sweeper). */
export const knownCaller = (actor: Actor): Caller => ({ admit: async () => actor });
