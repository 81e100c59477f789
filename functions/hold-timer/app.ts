import * as z from 'zod';
import type { AppDeps } from '../../shared/app-deps.ts';
import { HOLD_STEPS } from '../../shared/domain/hold.ts';
import { rearmIfEarly, runDueSteps, type StepOutcome } from '../../shared/holds/use-cases.ts';
import { custodyMetrics } from '../../shared/observability/metrics.ts';
import { instant, tenantId, ulid } from '../../shared/schemas/common.ts';

/** The schedule's Input, as EventBridgeHoldTimers writes it. Anything else is logged and dropped. */
const timerEvent = z.object({ tenantId, holdId: ulid, step: z.enum(HOLD_STEPS), dueAt: instant });

export type HoldTimerResult = StepOutcome | { ignored: 'malformed-event' } | { rearmed: true };

/**
 * Invoked by EventBridge Scheduler when a hold's one-shot timer fires. Performs whatever is due
 * (the same code the sweeper runs); duplicate, stale and early fires change nothing. Errors are
 * thrown so Lambda's async retries and on-failure destination see them.
 */
export function createHoldTimerHandler(deps: AppDeps) {
  return async (event: unknown): Promise<HoldTimerResult> => {
    const parsed = timerEvent.safeParse(event);
    if (!parsed.success) {
      deps.logger.error('malformed hold-timer event', { event: JSON.stringify(event).slice(0, 500) });
      return { ignored: 'malformed-event' };
    }
    const { tenantId, holdId, step, dueAt } = parsed.data;
    const lateness = deps.clock.now().getTime() - Date.parse(dueAt);
    custodyMetrics().timerLateness(lateness / 1000);
    const outcome = await runDueSteps(deps, tenantId, holdId, 'hold-timer');
    deps.logger.info('hold timer fired', {
      tenantId,
      holdId,
      step,
      dueAt,
      latenessMs: lateness,
      changed: outcome.changed,
    });
    if (!outcome.changed && outcome.hold && (await rearmIfEarly(deps, outcome.hold, step)))
      return { rearmed: true };
    return outcome;
  };
}
