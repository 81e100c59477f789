import { chainHash, GENESIS_HASH } from './hash-chain.ts';

/**
 * Pure link-by-link verification of one hash chain (a hold's events, or the tenant's own chain).
 * Events arrive in key order; each is checked for its position (seq), its link to the previous
 * event (prevHash) and its own content (hash), in that order, so the first broken link is named
 * where the damage is: an edited event fails its own hash; an edited-and-rehashed event fails the
 * NEXT event's prevHash; a deleted event leaves a missing seq; a deleted tail is caught by the
 * chain's head (the hold item's eventSeq/eventHash, or the tenant's AUDITHEAD).
 */
export const BROKEN_REASONS = [
  'hash-mismatch',
  'prev-hash-mismatch',
  'missing-seq',
  'head-mismatch',
] as const;
export type BrokenReason = (typeof BROKEN_REASONS)[number];

export interface Break {
  seq: number;
  eventId?: string;
  reason: BrokenReason;
  detail: string;
}

export interface ChainCursor {
  /** The last verified seq (0 before the first event) and its hash. */
  seq: number;
  hash: string;
  /** The stored hash of the event at the head's seq, once passed. */
  hashAtHead?: string;
}

export const startCursor = (): ChainCursor => ({ seq: 0, hash: GENESIS_HASH });

/** The table's own attributes: not part of what was hashed. */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'entity']);

export function eventContent(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([name]) => !KEY_ATTRIBUTES.has(name)));
}

/**
 * Checks one stored event (`seqFromKey` is the seq its sort key says) against the cursor. Returns
 * the advanced cursor, or the break. `headSeq` marks which event the head's hash must match.
 */
export function checkLink(
  cursor: ChainCursor,
  seqFromKey: number,
  item: Record<string, unknown>,
  headSeq: number | undefined,
): { cursor: ChainCursor } | { broken: Break } {
  const eventId = typeof item.eventId === 'string' ? item.eventId : undefined;
  const expected = cursor.seq + 1;
  const at = (reason: BrokenReason, seq: number, detail: string): { broken: Break } => ({
    broken: { seq, ...(eventId ? { eventId } : {}), reason, detail },
  });
  if (seqFromKey !== expected) {
    return at(
      'missing-seq',
      expected,
      `event ${expected} is missing; the next stored event is ${seqFromKey}`,
    );
  }
  if (item.seq !== seqFromKey) {
    return at(
      'hash-mismatch',
      seqFromKey,
      `the event says seq ${String(item.seq)} but is stored as ${seqFromKey}`,
    );
  }
  if (item.prevHash !== cursor.hash) {
    return at('prev-hash-mismatch', seqFromKey, 'prevHash does not match the previous event\u2019s hash');
  }
  const content = eventContent(item);
  if (typeof item.hash !== 'string' || chainHash(cursor.hash, content) !== item.hash) {
    return at('hash-mismatch', seqFromKey, 'the event\u2019s content does not match its hash');
  }
  return {
    cursor: {
      seq: seqFromKey,
      hash: item.hash,
      ...(headSeq === seqFromKey ? { hashAtHead: item.hash } : { ...pickHashAtHead(cursor) }),
    },
  };
}

const pickHashAtHead = (cursor: ChainCursor) => (cursor.hashAtHead ? { hashAtHead: cursor.hashAtHead } : {});

/**
 * At the end of a chain: the head (read BEFORE the events, so concurrent appends after it are
 * fine) must be covered by the verified events, with the same hash at its seq.
 */
export function checkHead(cursor: ChainCursor, head: { seq: number; hash: string }): Break | undefined {
  if (cursor.seq < head.seq) {
    return {
      seq: cursor.seq + 1,
      reason: 'missing-seq',
      detail: `the chain ends at ${cursor.seq} but its head records ${head.seq} events`,
    };
  }
  if (head.seq > 0 && cursor.hashAtHead !== head.hash) {
    return {
      seq: head.seq,
      reason: 'head-mismatch',
      detail: 'the event at the head\u2019s seq has another hash',
    };
  }
  return undefined;
}
