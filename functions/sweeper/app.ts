import type { AppDeps } from '../../shared/app-deps.ts';
import { runDueSteps } from '../../shared/holds/use-cases.ts';
import { custodyMetrics } from '../../shared/observability/metrics.ts';
import { allShards, dueOpenHolds, type OpenHoldRef } from '../../shared/store/holds.ts';
import { toIsoSeconds } from '../../shared/util/time.ts';

/** Holds processed at once per sweep: enough to drain a backlog, few enough not to throttle. */
const CONCURRENCY = 8;

export interface SweepResult {
  checked: number;
  /** Steps the sweeper performed itself: a timer was lost, failed or late. Alarmed on in AWS. */
  caught: number;
  failed: number;
}

/**
 * The backstop: every minute, every open hold whose next step is due (or whose timer could not be
 * armed) goes through the same code as the timer. A lost schedule delays a step by at most one
 * sweep interval, never past the deadline unnoticed. One Query per index shard, no Scan.
 */
export function createSweeper(deps: AppDeps) {
  return async (): Promise<SweepResult> => {
    const now = toIsoSeconds(deps.clock.now());
    const refs = (await Promise.all(allShards().map((shard) => dueOpenHolds(deps.db, shard, now)))).flat();
    const result: SweepResult = { checked: refs.length, caught: 0, failed: 0 };
    let next = 0;
    const worker = async () => {
      for (let ref = refs[next++]; ref; ref = refs[next++]) await sweepOne(deps, ref, result);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, refs.length) }, worker));
    // Every sweep reports its catches, 0 included, so the sustained-catches alarm always has data.
    custodyMetrics().sweeperCatches(result.caught);
    if (result.caught > 0 || result.failed > 0) deps.logger.warn('sweeper caught holds', { ...result });
    return result;
  };
}

async function sweepOne(deps: AppDeps, ref: OpenHoldRef, result: SweepResult): Promise<void> {
  try {
    const outcome = await runDueSteps(deps, ref.tenantId, ref.holdId, 'sweeper');
    if (outcome.changed) result.caught++;
  } catch (error) {
    // One bad hold must not stop the sweep of the others; it is retried next minute.
    result.failed++;
    deps.logger.error('sweep of a hold failed', {
      ...ref,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
