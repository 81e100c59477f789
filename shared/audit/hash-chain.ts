import { createHash } from 'node:crypto';
import { stableStringify } from '../util/stable-json.ts';

/** The hash of the first event of a chain links to this. */
export const GENESIS_HASH = '0'.repeat(64);

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Each audit event carries the hash of the previous one and its own hash over (previous hash +
 * canonical JSON of the event without its hash), so changing, removing or reordering any stored
 * event breaks every link after it.
 */
export function chainHash(prevHash: string, event: Record<string, unknown>): string {
  const { hash: _ignored, ...content } = event;
  return sha256Hex(`${prevHash}\n${stableStringify(content)}`);
}

/**
 * The hash of an entity's state as an event leaves it: stored in the event so `verify` can hold the
 * entity's current item against its last event. For person data the event keeps only this hash.
 */
export const stateHash = (state: unknown): string => sha256Hex(stableStringify(state ?? null));
