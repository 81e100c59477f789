import type { AppDeps } from '../app-deps.ts';
import type { AuditContext } from '../audit/tenant-audit.ts';
import { isInFuture, utcDate } from '../domain/custody-rules.ts';
import { declareProblems } from '../errors/declared.ts';
import type { Booking, PutBooking } from '../schemas/booking.ts';
import { upsertBooking } from '../store/bookings.ts';
import { getFacility } from '../store/facilities.ts';

/**
 * Whether a facility of the county exists, asked once per facility id: facilities are never
 * deleted, so a batch may remember the answer for all its items.
 */
export type FacilityCheck = (facilityId: string) => Promise<boolean>;

export const facilityCheck =
  (deps: Pick<AppDeps, 'db'>, tenantId: string): FacilityCheck =>
  async (facilityId) =>
    (await getFacility(deps.db, tenantId, facilityId)) !== undefined;

/** A facility check that reads each facility once (for the items of one batch). */
export function rememberedFacilityCheck(check: FacilityCheck): FacilityCheck {
  const known = new Map<string, Promise<boolean>>();
  return (facilityId) => {
    let answer = known.get(facilityId);
    if (!answer) {
      answer = check(facilityId);
      known.set(facilityId, answer);
      // A failed read is not an answer: the next item asks again.
      answer.catch(() => known.delete(facilityId));
    }
    return answer;
  };
}

/** The problems the use case refuses with: the PUT's, and each batch item's. */
export const putBookingProblems = declareProblems([
  ['booking-released', 409],
  'booking-sealed',
  'concurrent-modification',
  'facility-not-found',
  'booked-at-in-future',
  'date-of-birth-in-future',
]);

/** What a booking PUT did: `unchanged` answers like `updated` (200) but wrote nothing. */
export interface PutBookingResult {
  outcome: 'created' | 'updated' | 'unchanged';
  booking: Booking;
}

/**
 * The booking upsert with its rules, the one use case behind PUT .../bookings/{n}, every item of
 * POST .../bookings:batch and the NIEM adapter, so a booking is stored (and audited) the same
 * whichever door it came in by. Refusals are domain errors from the catalogue.
 */
export async function putBooking(
  deps: Pick<AppDeps, 'db' | 'ids' | 'clock'>,
  tenantId: string,
  bookingNumber: string,
  body: PutBooking,
  audit: AuditContext,
  /** A batch's shortcuts: facilities asked once, and bookings read together beforehand. */
  batch: { facilityExists?: FacilityCheck; known?: { booking: Booking | undefined } } = {},
): Promise<PutBookingResult> {
  const facilityExists = batch.facilityExists ?? facilityCheck(deps, tenantId);
  const now = deps.clock.now();
  if (isInFuture(body.bookedAt, now))
    throw putBookingProblems.refuse('booked-at-in-future', 'bookedAt is in the future.');
  if (body.person.dateOfBirth > utcDate(now)) {
    throw putBookingProblems.refuse('date-of-birth-in-future', 'person.dateOfBirth is in the future.');
  }
  if (!(await facilityExists(body.facilityId))) {
    throw putBookingProblems.refuse(
      'facility-not-found',
      `Facility ${body.facilityId} does not exist in this county.`,
    );
  }
  const result = await upsertBooking(deps, tenantId, bookingNumber, body, now, audit, batch.known);
  switch (result.kind) {
    case 'released':
      throw putBookingProblems.refuse('booking-released', `Booking ${bookingNumber} was released.`);
    case 'sealed':
      throw putBookingProblems.refuse(
        'booking-sealed',
        `Booking ${bookingNumber} is sealed: it takes no person data again; a new stay gets a new number.`,
      );
    case 'conflict':
      throw putBookingProblems.refuse(
        'concurrent-modification',
        'The booking changed meanwhile; read it and retry.',
      );
    default:
      return { outcome: result.kind, booking: result.booking };
  }
}
