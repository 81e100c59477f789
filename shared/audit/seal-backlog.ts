import type { PendingLeaf } from './sealer.ts';

/** A county with an event waiting longer than this for a checkpoint is stale (issue 14: the alarm). */
export const STALE_CHECKPOINT_MS = 5 * 60_000;

/** What the sealer reports on each run about the events it has not sealed yet. */
export interface SealBacklog {
  /** Counties with an unsealed event older than STALE_CHECKPOINT_MS: their newest checkpoint is older than that event. */
  staleCounties: number;
  /** How long the oldest unsealed event of any county has waited (0 with nothing pending). */
  oldestUnsealedAgeSeconds: number;
}

/**
 * The backlog of the counties the sealer knows to have unsealed events: the tenants of its stream
 * batch (AWS) or of its pending map (local), so no scan of the table is needed. A quiet county has
 * no unsealed event and is never stale, however old its newest checkpoint.
 */
export function sealBacklog(pending: Iterable<readonly PendingLeaf[]>, now: Date): SealBacklog {
  let staleCounties = 0;
  let oldestAgeMs = 0;
  for (const leaves of pending) {
    if (leaves.length === 0) continue;
    const oldest = Math.min(...leaves.map((leaf) => Date.parse(leaf.writtenAt)));
    const age = Math.max(0, now.getTime() - oldest);
    if (age > STALE_CHECKPOINT_MS) staleCounties += 1;
    oldestAgeMs = Math.max(oldestAgeMs, age);
  }
  return { staleCounties, oldestUnsealedAgeSeconds: Math.round(oldestAgeMs / 1000) };
}
