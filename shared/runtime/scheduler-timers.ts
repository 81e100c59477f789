import type { HoldTimers } from '../timers/hold-timers.ts';
import { onFirstUse } from './on-first-use.ts';

/**
 * Loaded on first use: importing this file evaluates no SDK code and constructs no client. The
 * client and its adapter come through `import()`, a chunk of its own in the bundle
 * (infra/bundling.ts), loaded by the first call only. The local runtime uses its own adapters.
 */
export interface ScheduleSettings {
  SCHEDULE_GROUP: string;
  HOLD_TIMER_ARN: string;
  SCHEDULER_ROLE_ARN: string;
  SCHEDULER_DLQ_ARN?: string | undefined;
}

/** EventBridge Scheduler hold timers (shared/timers/eventbridge-hold-timers.ts), loaded on the first arm or disarm. */
export function schedulerTimersOnFirstUse(settings: ScheduleSettings): HoldTimers {
  const timers = onFirstUse(async () => {
    const [{ SchedulerClient }, { EventBridgeHoldTimers, SCHEDULER_MAX_ATTEMPTS }] = await Promise.all([
      import('@aws-sdk/client-scheduler'),
      import('../timers/eventbridge-hold-timers.ts'),
    ]);
    return new EventBridgeHoldTimers(new SchedulerClient({ maxAttempts: SCHEDULER_MAX_ATTEMPTS }), {
      groupName: settings.SCHEDULE_GROUP,
      targetArn: settings.HOLD_TIMER_ARN,
      roleArn: settings.SCHEDULER_ROLE_ARN,
      ...(settings.SCHEDULER_DLQ_ARN ? { deadLetterArn: settings.SCHEDULER_DLQ_ARN } : {}),
    });
  });
  return {
    arm: async (payload) => (await timers()).arm(payload),
    disarm: async (holdId, step) => (await timers()).disarm(holdId, step),
  };
}
