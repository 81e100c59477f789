import pMap from 'p-map';
import type { AppDeps } from '../app-deps.ts';
import type { AuditContext } from '../audit/tenant-audit.ts';
import type { PutBooking } from '../schemas/booking.ts';
import { getBookings } from '../store/bookings.ts';
import { facilityCheck, type PutBookingResult, putBooking, rememberedFacilityCheck } from './put-booking.ts';

/**
 * How many items of one batch are in flight at once. A new or changed booking is 2 DynamoDB
 * requests of its own (the audit chain head, one transaction) after the batch's shared reads
 * (bookings in BatchGetItems of 100, each facility once); an unchanged one none. 16 at once keeps
 * a 500-item batch to about 1 s at DynamoDB's ~10 ms per request, well inside the API function's
 * 15 s, without using more of the SDK's 50 sockets or of the county partition's 1,000 write units
 * per second than a few vendors' ordinary calls would. (DynamoDB Local on a busy 2-core machine is
 * CPU-bound: 8, 16 or 32 at once measured the same there.)
 */
export const BATCH_CONCURRENCY = 16;

/**
 * API Gateway's integration timeout for a REST API: 29 s by default (raisable since June 2024 for
 * Regional and private REST APIs only, at the cost of account throttling quota).
 */
export const API_GATEWAY_TIMEOUT_MS = 29_000;

/** Kept free at the end of the time allowed: for the items in flight and the answer itself. */
export const BATCH_RESERVE_MS = 4_000;

export interface BatchBooking {
  bookingNumber: string;
  body: PutBooking;
}

/** Each item's answer, in request order: what its own PUT did, or why it did not. */
export type BatchOutcome =
  | { kind: 'done'; result: PutBookingResult }
  | { kind: 'refused'; error: unknown }
  | { kind: 'not-started' };

export interface BatchLimits {
  concurrency: number;
  /**
   * Whether another item may start. An item that may not is answered 503
   * `temporarily-unavailable` (nothing written: send it again) rather than risk a timeout that
   * would lose the answers of the items done.
   */
  mayStart: () => boolean;
}

/**
 * The batch's time limits: the Lambda's own remaining time (the API function has 15 s) and API
 * Gateway's 29 s, whichever ends first, less the reserve. Real elapsed time, not the custody clock.
 */
export function batchLimits(remainingMs: (() => number) | undefined): BatchLimits {
  const started = performance.now();
  return {
    concurrency: BATCH_CONCURRENCY,
    mayStart: () =>
      performance.now() - started < API_GATEWAY_TIMEOUT_MS - BATCH_RESERVE_MS &&
      (remainingMs?.() ?? Number.POSITIVE_INFINITY) > BATCH_RESERVE_MS,
  };
}

/**
 * Puts each booking through the PUT's own use case, at most `concurrency` at once, with the
 * batch's bookings read beforehand in BatchGetItems (a stale one costs one refused, retried
 * write). An item's refusal is its own outcome and never stops the others; items are independent
 * (a booking number twice in one batch is two PUTs in turn, the later one last).
 */
export async function putBookings(
  deps: Pick<AppDeps, 'db' | 'ids' | 'clock'>,
  tenantId: string,
  items: readonly BatchBooking[],
  audit: AuditContext,
  limits: BatchLimits = batchLimits(undefined),
): Promise<BatchOutcome[]> {
  if (items.length === 0 || !limits.mayStart()) return items.map(() => ({ kind: 'not-started' }));
  const running = new Map<string, Promise<unknown>>();
  const facilityExists = rememberedFacilityCheck(facilityCheck(deps, tenantId));
  // Every booking of the batch in a few BatchGetItems rather than one GetItem each; only the first
  // item of a number may use it (a later one must see what the first wrote).
  const stored = await getBookings(
    deps.db,
    tenantId,
    items.map((item) => item.bookingNumber),
  );
  const firstOf = new Set<string>();
  return pMap(
    items,
    async (item): Promise<BatchOutcome> => {
      if (!limits.mayStart()) return { kind: 'not-started' };
      // The same number twice: the second waits for the first, as two PUTs sent in turn would.
      const before = running.get(item.bookingNumber);
      const known = firstOf.has(item.bookingNumber) ? undefined : { booking: stored.get(item.bookingNumber) };
      firstOf.add(item.bookingNumber);
      const run = (before ?? Promise.resolve()).then(() =>
        putBooking(deps, tenantId, item.bookingNumber, item.body, audit, {
          facilityExists,
          ...(known ? { known } : {}),
        }),
      );
      running.set(
        item.bookingNumber,
        run.catch(() => undefined),
      );
      try {
        return { kind: 'done', result: await run };
      } catch (error) {
        return { kind: 'refused', error };
      }
    },
    { concurrency: limits.concurrency },
  );
}
