import * as z from 'zod';
import { problemDetails } from '../openapi/problem-responses.ts';
import { bookingNumber, putBookingBody } from './booking.ts';

/** The most bookings one batch takes (API.md); a vendor's first sync of a large jail is a few batches. */
export const BOOKING_BATCH_MAX = 500;

/** One item: the booking number beside exactly the PUT's body, validated by the PUT's own schema. */
export const bookingBatchItem = putBookingBody.extend({ bookingNumber }).meta({ id: 'BatchBooking' });

export type BookingBatchItem = z.infer<typeof bookingBatchItem>;

/** An item the PUT's schema refused: kept as sent, so that its slot can be answered with its own 400. */
export class InvalidBatchItem {
  readonly raw: unknown;
  constructor(raw: unknown) {
    this.raw = raw;
  }
}

/**
 * The envelope is strict (1 to 500 items, nothing beside `bookings`), but an item never fails it:
 * `.catch` keeps a bad item as an InvalidBatchItem, so one bad item blocks no other. The document
 * still shows each item as a BatchBooking (zod converts a `.catch` as its inner schema).
 */
export const bookingBatchBody = z
  .strictObject({
    bookings: z
      .array(bookingBatchItem.catch((ctx) => new InvalidBatchItem(ctx.value) as unknown as BookingBatchItem))
      .min(1)
      .max(BOOKING_BATCH_MAX)
      .meta({ description: `1 to ${BOOKING_BATCH_MAX} bookings, each answered in its own slot of results` }),
  })
  .meta({ id: 'BookingBatch' });

export const bookingBatchResult = z
  .object({
    bookingNumber: z.string().optional().meta({
      description:
        'The item\u2019s bookingNumber as sent (absent only when the item carried none as a string)',
    }),
    status: z.number().int().meta({
      description:
        'What PUT .../bookings/{bookingNumber} answers for it: 201 created, 200 updated or unchanged, or the problem\u2019s status',
    }),
    problem: problemDetails.optional().meta({ description: 'The problem document the PUT would answer' }),
  })
  .meta({ id: 'BookingBatchResult' });

export const bookingBatchResponse = z
  .object({
    results: z.array(bookingBatchResult).meta({ description: 'One per item, in request order' }),
  })
  .meta({ id: 'BookingBatchResults' });

export type BookingBatchResult = z.infer<typeof bookingBatchResult>;
