import { createHash } from 'node:crypto';
import { stableStringify } from '../util/stable-json.ts';

/** The hash of the first event of a chain links to this. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Each audit event carries the hash of the previous one and its own hash over (previous hash +
 * canonical JSON of the event without its hash), so changing, removing or reordering any stored
 * event breaks every link after it.
 */
export function chainHash(prevHash: string, event: Record<string, unknown>): string {
  const { hash: _ignored, ...content } = event;
  return createHash('sha256')
    .update(`${prevHash}\n${stableStringify(content)}`)
    .digest('hex');
}
