import type { AppDeps } from '../../shared/app-deps.ts';
import type { DailyJob } from '../../shared/jobs/daily-job.ts';
import { custodyMetrics } from '../../shared/observability/metrics.ts';
import { toIsoSeconds } from '../../shared/util/time.ts';
import { DAILY_JOBS } from './jobs.ts';

export interface DailyJobsResult {
  at: string;
  /** What each job that finished did, by job name. */
  counts: Record<string, Record<string, number>>;
  /** Names of the jobs that threw. */
  failed: string[];
}

/**
 * Runs every daily job once, in order, at one `now` for all of them. One failing job never stops
 * the others: its error is logged and metered, and the result names it (the Lambda entry then
 * fails the invocation, so the errors alarm fires; the jobs are idempotent, so a retry is safe).
 */
export function createDailyJobs(deps: AppDeps, jobs: readonly DailyJob[] = DAILY_JOBS) {
  return async (): Promise<DailyJobsResult> => {
    const now = deps.clock.now();
    const result: DailyJobsResult = { at: toIsoSeconds(now), counts: {}, failed: [] };
    const metrics = custodyMetrics();
    for (const job of jobs) {
      try {
        const counts = await job.run(deps, now);
        result.counts[job.name] = counts;
        for (const [counter, value] of Object.entries(counts))
          metrics.dailyJobCount(job.name, counter, value);
        deps.logger.info('daily job done', { job: job.name, at: result.at, ...counts });
      } catch (error) {
        result.failed.push(job.name);
        metrics.dailyJobFailure(job.name);
        deps.logger.error('daily job failed', {
          job: job.name,
          at: result.at,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return result;
  };
}
