import { describe, expect, it } from 'vitest';
import { type BatchRun, renderBookingBatch } from '../../bench/booking-batch.ts';

const run = (batchSeconds: number[], unexpected = 0): BatchRun => ({
  batchSeconds,
  unexpected,
  requestsPerBooking: { GetItem: 1, TransactWriteItems: 1, BatchGetItem: 0.01 },
});

describe('bench: the bookings:batch figure', () => {
  it('says whether the first sync met the 30 s goal, from the sum of its batches', () => {
    const met = renderBookingBatch({
      bookings: 1000,
      batchSize: 500,
      sync: run([9, 4.5]),
      replay: run([0.2, 0.1]),
    });
    expect(met.join('\n')).toContain('took **13.5 s** for 1000 bookings');
    expect(met.join('\n')).toContain('goal is **met**');
    expect(met.join('\n')).toContain(
      '| first sync (201 each) | 9.00 + 4.50 | 13.50 | 74 | 0 | BatchGetItem 0.01, GetItem 1, TransactWriteItems 1 |',
    );
    const missed = renderBookingBatch({
      bookings: 1000,
      batchSize: 500,
      sync: run([20, 11], 3),
      replay: run([1, 1]),
    });
    expect(missed.join('\n')).toContain('goal is **not met**');
  });
});
