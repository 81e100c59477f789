import { isUtf8 } from 'node:buffer';
import * as z from 'zod';
import type { VirtualClock } from '../shared/clock.ts';
import { problems } from '../shared/http/problem.ts';
import { toFieldErrors } from '../shared/http/validation.ts';
import { instant, PLAUSIBLE_YEARS } from '../shared/schemas/common.ts';
import { parseIsoDuration, toIsoSeconds } from '../shared/util/time.ts';

const moveClock = z.union([
  z.strictObject({
    advanceBy: z
      .string()
      .refine((value) => parseIsoDuration(value) !== undefined, 'must be an ISO 8601 duration such as PT48H'),
  }),
  z.strictObject({ set: instant }),
]);

/** The last second of the last year a time field accepts. */
const LATEST = new Date(Date.UTC(PLAUSIBLE_YEARS.to + 1, 0, 1) - 1000);

/** Moves the clock to `target` and lets every timer due on the way fire, in order, before returning. */
export type ClockDriver = (target: Date) => Promise<void>;

export interface ClockResponse {
  status: number;
  body: unknown;
}

/** `/_local/clock`: read or move the virtual clock (local runtime only; absent in AWS). */
export async function handleClockRequest(
  method: string,
  body: Buffer,
  clock: VirtualClock,
  drive: ClockDriver,
): Promise<ClockResponse> {
  if (method === 'GET') return { status: 200, body: { now: toIsoSeconds(clock.now()) } };
  if (method !== 'POST') return { status: 405, body: problems.methodNotAllowed().toBody() };
  let parsed: unknown;
  if (!isUtf8(body)) return { status: 400, body: problems.malformedJson().toBody() };
  try {
    parsed = JSON.parse(body.toString('utf8') || 'null');
  } catch {
    return { status: 400, body: problems.malformedJson().toBody() };
  }
  const result = moveClock.safeParse(parsed);
  if (!result.success) {
    return { status: 400, body: problems.validation(toFieldErrors('body', result.error)).toBody() };
  }
  const now = clock.now();
  const target =
    'advanceBy' in result.data
      ? new Date(now.getTime() + (parseIsoDuration(result.data.advanceBy) ?? 0))
      : new Date(result.data.set);
  // Past what a date can hold (NaN) or past the years every time field accepts, the clock would
  // make every later write invalid: refused, and the clock left where it is.
  if (!(target.getTime() <= LATEST.getTime())) {
    const path = 'advanceBy' in result.data ? 'body.advanceBy' : 'body.set';
    return {
      status: 400,
      body: problems
        .validation([{ path, message: `the virtual clock cannot go past ${toIsoSeconds(LATEST)}` }])
        .toBody(),
    };
  }
  if (target < now) {
    return {
      status: 400,
      body: problems
        .validation([{ path: 'body.set', message: 'the virtual clock only moves forward' }])
        .toBody(),
    };
  }
  await drive(target);
  return { status: 200, body: { now: toIsoSeconds(clock.now()) } };
}
