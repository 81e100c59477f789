import { describe, expect, it } from 'vitest';
import { useRuntime } from '../support/runtime.ts';
import { DEFAULT_FAULTS, runSoak } from './soak-run.ts';

const runtime = useRuntime();

describe('soak (500 holds; `npm run soak` runs 5,000)', () => {
  it('no hold passes its deadline unnoticed, whatever fails', async () => {
    const report = await runSoak(runtime(), {
      holds: Number(process.env.SOAK_HOLDS ?? 500),
      counties: 6,
      seed: Number(process.env.SOAK_SEED ?? 20261124),
      spreadHours: 24,
      faults: DEFAULT_FAULTS,
    });
    console.log(JSON.stringify(report, null, 2));
    expect(report.violations).toEqual([]);
    expect(report.holds).toBe(Number(process.env.SOAK_HOLDS ?? 500));
    // The faults really happened.
    expect(report.faults.droppedTimers).toBeGreaterThan(0);
    expect(report.faults.duplicateFires).toBeGreaterThan(0);
    expect(report.faults.createScheduleThrottled).toBeGreaterThan(0);
    expect(report.faults.dynamoThrottled).toBeGreaterThan(0);
    expect(report.byStatus.OVERDUE ?? 0).toBeGreaterThan(0);
  }, 1_200_000);
});
