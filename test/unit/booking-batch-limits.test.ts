import { describe, expect, it } from 'vitest';
import { BATCH_RESERVE_MS, batchLimits, putBookings } from '../../shared/bookings/put-bookings.ts';
import type { PutBooking } from '../../shared/schemas/booking.ts';

/** A bookings batch stops starting items before the Lambda's (or API Gateway's) time runs out. */

describe('bookings batch time limits', () => {
  it('starts items while the invocation has more than the reserve left, and none after', () => {
    let remaining = 10_000;
    const limits = batchLimits(() => remaining);
    expect(limits.mayStart()).toBe(true);
    remaining = BATCH_RESERVE_MS + 1;
    expect(limits.mayStart()).toBe(true);
    remaining = BATCH_RESERVE_MS;
    expect(limits.mayStart()).toBe(false);
  });

  it('without a Lambda deadline (tests) is bounded by API Gateway\u2019s 29 s alone', () => {
    expect(batchLimits(undefined).mayStart()).toBe(true);
  });

  it('answers the items it may not start as not started, touching no storage', async () => {
    const body = { facilityId: 'f', bookedAt: '2026-11-24T00:00:00Z' } as PutBooking;
    const noStorage = new Proxy({} as never, {
      get: () => {
        throw new Error('storage touched');
      },
    });
    const outcomes = await putBookings(
      { db: noStorage, ids: noStorage, clock: noStorage },
      'tenant',
      [
        { bookingNumber: 'A', body },
        { bookingNumber: 'B', body },
      ],
      { actor: { kind: 'credential', keyId: 'k', role: 'jail-system' }, requestId: 'r' },
      { concurrency: 2, mayStart: () => false },
    );
    expect(outcomes).toEqual([{ kind: 'not-started' }, { kind: 'not-started' }]);
  });
});
