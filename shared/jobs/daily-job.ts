import type { AppDeps } from '../app-deps.ts';

/**
 * A job the platform runs once a day (issue 17: retention purge, credential expiry notices). It
 * must be idempotent: a retry, a second run on the same day or a run after missed days (a stopped
 * local runtime) must never do a thing twice. It returns counts of what it did, for the log and
 * the `DailyJobCounts` metric (one data point per key, dimensioned by job and key).
 */
export interface DailyJob {
  name: string;
  run(deps: AppDeps, now: Date): Promise<Record<string, number>>;
}

/**
 * When the daily jobs run: 09:00 UTC (04:00 or 05:00 on the East coast, 01:00 or 02:00 on the West
 * coast), after vendors' nightly reconciliation and before a county's working day. The one home of
 * the time: the AWS schedule's cron expression and the local runtime's virtual-clock trigger both
 * derive from it.
 */
export const DAILY_RUN_UTC = { hour: 9, minute: 0 } as const;

/** The EventBridge Scheduler expression of the daily run (timezone UTC). */
export const DAILY_JOBS_CRON = `cron(${DAILY_RUN_UTC.minute} ${DAILY_RUN_UTC.hour} * * ? *)`;

const DAY_MS = 86_400_000;
const RUN_OFFSET_MS = (DAILY_RUN_UTC.hour * 60 + DAILY_RUN_UTC.minute) * 60_000;

/** The latest daily run time at or before `at`. */
export function dailyRunAtOrBefore(at: Date): Date {
  const sinceMidnight = (((at.getTime() - RUN_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return new Date(at.getTime() - sinceMidnight);
}

/** The first daily run time strictly after `at`. */
export const dailyRunAfter = (at: Date): Date => new Date(dailyRunAtOrBefore(at).getTime() + DAY_MS);
