import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../shared/clock.ts';
import { dailyRunAtOrBefore } from '../shared/jobs/daily-job.ts';

/** The daily jobs on the virtual clock (LocalTimers runs them when the clock crosses the run time). */
export interface LocalDailyRuns {
  run: () => Promise<unknown>;
  /** The run time of the last run (a first start counts today's run time passed as done). */
  lastRunAt: Date;
  /** Told after each run, with the run time it stood for. */
  ran: (at: Date) => void;
}

/**
 * The last daily run is kept beside the data (`<dataDir>/daily-jobs.json`), so a restart on kept
 * data knows whether a run time passed while it was stopped (then the jobs run once, at start).
 * The jobs are idempotent: a kill between a run and its save only repeats a harmless run.
 */
export function localDailyRuns(
  dataDir: string | undefined,
  clock: Clock,
  run: () => Promise<unknown>,
): LocalDailyRuns {
  const file = dataDir ? join(dataDir, 'daily-jobs.json') : undefined;
  const save = (at: Date) => {
    if (!file || !dataDir) return;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ lastRunAt: at.toISOString() })}\n`);
    renameSync(`${file}.tmp`, file);
  };
  const stored = file ? load(file) : undefined;
  const lastRunAt = stored ?? dailyRunAtOrBefore(clock.now());
  if (!stored) save(lastRunAt);
  return { run, lastRunAt, ran: save };
}

function load(file: string): Date | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const { lastRunAt } = JSON.parse(readFileSync(file, 'utf8')) as { lastRunAt?: unknown };
    const at = typeof lastRunAt === 'string' ? Date.parse(lastRunAt) : Number.NaN;
    if (Number.isFinite(at)) return new Date(at);
  } catch {
    // fall through
  }
  console.error(`local runtime: ${file} is unreadable; the daily jobs count today as done`);
  return undefined;
}
