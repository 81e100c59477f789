/**
 * One county's booking write rate against the same writes spread over ten counties (issue 14):
 * concurrent PUTs of distinct bookings through the API. With one audit chain per entity, no
 * county-wide item takes part in a write, so one county should keep at least half the rate of ten
 * (COUNTY_SCALING_GOAL in report.ts). Measured, never asserted.
 */
import type { LocalRuntime } from '../local/runtime.ts';
import type { CountyScaling } from './report.ts';
import { summarize } from './stats.ts';
import { type County, onboardCounty } from './workload.ts';

export interface CountyScalingParams {
  /** Writes per variant. */
  writes: number;
  /** Writes in flight. */
  concurrency: number;
}

const TEN = 10;

/** Runs `writes` booking PUTs, `concurrency` at a time, the i-th into `countyOf(i)`. */
async function bookingWrites(
  writes: number,
  concurrency: number,
  countyOf: (index: number) => County,
  label: string,
  bookedAt: string,
): Promise<{ latencies: number[]; wallMs: number; failed: number }> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < writes) {
      const index = next++;
      const county = countyOf(index);
      const started = performance.now();
      const response = await county.api.put(`/v1/tenants/${county.tenantId}/bookings/${label}-${index}`, {
        key: county.jail,
        body: {
          facilityId: county.facilityId,
          bookedAt,
          person: { firstName: 'Pat', lastName: `Scale${index}`, dateOfBirth: '1985-02-03' },
        },
      });
      latencies.push(performance.now() - started);
      if (response.status !== 201) failed++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, writes) }, worker));
  return { latencies, wallMs: performance.now() - started, failed };
}

export async function measureCountyScaling(
  runtime: LocalRuntime,
  params: CountyScalingParams,
  bookedAt: string,
): Promise<CountyScaling> {
  const one = await onboardCounty(runtime, 'scale-one');
  const ten: County[] = [];
  for (let index = 0; index < TEN; index++) ten.push(await onboardCounty(runtime, `scale-ten-${index}`));
  // Warm-up (not recorded): the handlers, the connections and both kinds of county.
  await bookingWrites(params.concurrency * 2, params.concurrency, () => one, 'WARM', bookedAt);
  await bookingWrites(
    params.concurrency * 2,
    params.concurrency,
    (i) => ten[i % TEN] as County,
    'WARM',
    bookedAt,
  );
  const single = await bookingWrites(params.writes, params.concurrency, () => one, 'ONE', bookedAt);
  const spread = await bookingWrites(
    params.writes,
    params.concurrency,
    (index) => ten[index % TEN] as County,
    'TEN',
    bookedAt,
  );
  return {
    ...params,
    oneCounty: { ...summarize(single.latencies, single.wallMs), failed: single.failed },
    tenCounties: { ...summarize(spread.latencies, spread.wallMs), failed: spread.failed },
  };
}
