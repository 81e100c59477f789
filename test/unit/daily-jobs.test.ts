import { afterEach, describe, expect, it } from 'vitest';
import { createDailyJobs } from '../../functions/daily-jobs/app.ts';
import type { AppDeps } from '../../shared/app-deps.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { CREDENTIAL_NOTICE_DAYS, noticeDue } from '../../shared/jobs/credential-expiry.ts';
import {
  DAILY_JOBS_CRON,
  DAILY_RUN_UTC,
  type DailyJob,
  dailyRunAfter,
  dailyRunAtOrBefore,
} from '../../shared/jobs/daily-job.ts';
import { noopMetrics, setCustodyMetrics } from '../../shared/observability/metrics.ts';
import { createLogger } from '../../shared/runtime/logger.ts';

const at = (iso: string) => new Date(iso);

describe('the daily run time', () => {
  it('is one time of day, the same for the AWS cron and the local clock', () => {
    expect(DAILY_JOBS_CRON).toBe(`cron(${DAILY_RUN_UTC.minute} ${DAILY_RUN_UTC.hour} * * ? *)`);
    const today = at('2026-11-24T09:00:00Z');
    expect(DAILY_RUN_UTC).toEqual({ hour: 9, minute: 0 });
    expect(dailyRunAtOrBefore(today)).toEqual(today);
    expect(dailyRunAtOrBefore(at('2026-11-24T08:59:59Z'))).toEqual(at('2026-11-23T09:00:00Z'));
    expect(dailyRunAtOrBefore(at('2026-11-25T03:00:00Z'))).toEqual(today);
    expect(dailyRunAfter(today)).toEqual(at('2026-11-25T09:00:00Z'));
    expect(dailyRunAfter(at('2026-11-24T03:00:00Z'))).toEqual(today);
  });
});

describe('createDailyJobs', () => {
  const recorded: string[] = [];
  afterEach(() => {
    setCustodyMetrics(undefined);
    recorded.length = 0;
  });

  it('runs every job at one time; a failing job is reported and never stops the others', async () => {
    setCustodyMetrics({
      ...noopMetrics,
      dailyJobCount: (job, counter, value) => recorded.push(`${job}.${counter}=${value}`),
      dailyJobFailure: (job) => recorded.push(`${job} failed`),
    });
    const clock = new VirtualClock({ start: at('2026-11-24T09:00:00Z') });
    const seen: string[] = [];
    const job = (name: string, run: (now: Date) => Record<string, number>): DailyJob => ({
      name,
      run: async (_deps, now) => {
        seen.push(`${name}@${now.toISOString()}`);
        return run(now);
      },
    });
    const jobs = [
      job('first', () => ({ sent: 2 })),
      job('broken', () => {
        throw new Error('boom');
      }),
      job('last', () => ({ purged: 0, batches: 1 })),
    ];
    const deps = { clock, logger: createLogger('daily-jobs-test') } as unknown as AppDeps;
    const result = await createDailyJobs(deps, jobs)();
    expect(seen).toEqual([
      'first@2026-11-24T09:00:00.000Z',
      'broken@2026-11-24T09:00:00.000Z',
      'last@2026-11-24T09:00:00.000Z',
    ]);
    expect(result).toEqual({
      at: '2026-11-24T09:00:00Z',
      counts: { first: { sent: 2 }, last: { purged: 0, batches: 1 } },
      failed: ['broken'],
    });
    expect(recorded).toEqual(['first.sent=2', 'broken failed', 'last.purged=0', 'last.batches=1']);
  });
});

describe('noticeDue (credential expiry notices)', () => {
  it('is the nearest of 30, 7 and 1 days not later than the days left, and none on or after the last valid day', () => {
    const due = (daysLeft: number) => noticeDue(daysLeft);
    expect([31, 30, 8, 7, 2, 1, 0, -3].map(due)).toEqual([undefined, 30, 30, 7, 7, 1, undefined, undefined]);
    expect(CREDENTIAL_NOTICE_DAYS).toEqual([30, 7, 1]);
  });
});
