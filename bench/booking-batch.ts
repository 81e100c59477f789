/**
 * A jail vendor's first sync (issue 17): 1,000 bookings in two POST .../bookings:batch calls of
 * 500, then the same two batches again (the nightly reconciliation of an unchanged jail), through
 * the API. Wall time per batch and DynamoDB requests per booking (counted with SDK middleware on
 * the county's tenant-scoped client). Measured, never asserted; the goal is the first sync
 * in at most 30 s on the local runtime.
 */
import type { LocalRuntime } from '../local/runtime.ts';
import { CommandRecorder } from './recorder.ts';
import { onboardCounty } from './workload.ts';

export const BOOKING_BATCH_GOAL_SECONDS = 30;
const BOOKINGS = 1_000;
const BATCH_SIZE = 500;

export interface BatchRun {
  /** Wall time of each batch call, in order. */
  batchSeconds: number[];
  /** Items answered with another status than expected (201 on the sync, 200 on the replay). */
  unexpected: number;
  /** DynamoDB requests per booking, by operation. */
  requestsPerBooking: Record<string, number>;
}

export interface BookingBatchFigure {
  bookings: number;
  batchSize: number;
  sync: BatchRun;
  replay: BatchRun;
}

export async function measureBookingBatch(
  runtime: LocalRuntime,
  bookedAt: string,
): Promise<BookingBatchFigure> {
  const county = await onboardCounty(runtime, 'batch-county');
  const recorder = new CommandRecorder();
  const tenantDb = await runtime.deps.tenantDb?.forTenant(county.tenantId);
  recorder.attach((tenantDb ?? runtime.deps.db).doc, 'dynamodb', 'batch-tenant-db');
  const bookings = Array.from({ length: BOOKINGS }, (_, index) => ({
    bookingNumber: `SYNC-${String(index).padStart(5, '0')}`,
    facilityId: county.facilityId,
    bookedAt,
    person: { firstName: 'Pat', lastName: `Sync${index}`, dateOfBirth: '1985-02-03' },
    charges: [{ code: '316.193', description: 'DUI' }],
  }));
  const batches = Array.from({ length: BOOKINGS / BATCH_SIZE }, (_, index) =>
    bookings.slice(index * BATCH_SIZE, (index + 1) * BATCH_SIZE),
  );
  // Warm-up (not recorded): the handler, the connections, the county's first writes.
  await send(county, [{ ...bookings[0], bookingNumber: 'WARM-1' }], 201);

  const run = async (expected: number): Promise<BatchRun> => {
    const batchSeconds: number[] = [];
    let unexpected = 0;
    const { commands } = await recorder.record(async () => {
      for (const batch of batches) {
        const started = performance.now();
        unexpected += await send(county, batch, expected);
        batchSeconds.push((performance.now() - started) / 1000);
      }
    });
    const requestsPerBooking: Record<string, number> = {};
    for (const command of commands) {
      requestsPerBooking[command.name] = (requestsPerBooking[command.name] ?? 0) + 1 / BOOKINGS;
    }
    return { batchSeconds, unexpected, requestsPerBooking };
  };
  const sync = await run(201);
  const replay = await run(200);
  return { bookings: BOOKINGS, batchSize: BATCH_SIZE, sync, replay };
}

/** One batch call; how many items were not answered `expected`. */
async function send(
  county: Awaited<ReturnType<typeof onboardCounty>>,
  batch: readonly Record<string, unknown>[],
  expected: number,
): Promise<number> {
  const response = await county.api.post<{ results: { status: number }[] }>(
    `/v1/tenants/${county.tenantId}/bookings:batch`,
    { key: county.jail, body: { bookings: batch } },
  );
  if (response.status !== 200) {
    throw new Error(`bookings:batch answered ${response.status}: ${response.text.slice(0, 300)}`);
  }
  return response.body.results.filter((result) => result.status !== expected).length;
}

const seconds = (values: number[]): string => values.map((value) => value.toFixed(2)).join(' + ');
const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
const requests = (perBooking: Record<string, number>): string =>
  Object.entries(perBooking)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${Math.round(count * 100) / 100}`)
    .join(', ') || 'none';

export function renderBookingBatch(figure: BookingBatchFigure): string[] {
  const total = sum(figure.sync.batchSeconds);
  const row = (name: string, run: BatchRun) =>
    `| ${name} | ${seconds(run.batchSeconds)} | ${sum(run.batchSeconds).toFixed(2)} | ` +
    `${(figure.bookings / sum(run.batchSeconds)).toFixed(0)} | ${run.unexpected} | ${requests(run.requestsPerBooking)} |`;
  return [
    '### A vendor\u2019s first sync: bookings:batch',
    '',
    `${figure.bookings} new bookings in ${figure.bookings / figure.batchSize} POST .../bookings:batch calls of ` +
      `${figure.batchSize} through the API (each item through the PUT\u2019s own use case, 16 at a time), then ` +
      'the same calls again, unchanged (a nightly reconciliation: each item answers 200 and writes nothing).',
    '',
    '| run | seconds per batch | total (s) | bookings/s | not as expected | DynamoDB requests per booking |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    row('first sync (201 each)', figure.sync),
    row('replay (200 each)', figure.replay),
    '',
    `- The first sync took **${total.toFixed(1)} s** for ${figure.bookings} bookings \u2014 the ` +
      `${BOOKING_BATCH_GOAL_SECONDS} s goal is **${total <= BOOKING_BATCH_GOAL_SECONDS ? 'met' : 'not met'}**.`,
  ];
}
