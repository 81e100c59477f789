import type { AppDeps } from '../app-deps.ts';
import type { AuditContext } from '../audit/tenant-audit.ts';
import { notFound, refuse } from '../errors/catalogue.ts';
import type { Booking, SealBooking } from '../schemas/booking.ts';
import { toIsoSeconds } from '../util/time.ts';
import { removePersonData, removePersonDataCopies } from './person-data-removal.ts';

/**
 * Seals a booking by court order or expungement (API.md: POST .../bookings/{n}/seal): its person
 * data goes from the booking and from every copy the API could answer with, the booking keeps its
 * number, dates, facility, status and `sealed`, and the seal is the booking chain's next audit
 * event. Refused (409 `open-hold-exists`) while a hold on it is open: the hold's deadline and
 * release still need whom it holds. Sealing a sealed booking again answers it as it is.
 */
export async function sealBooking(
  deps: AppDeps,
  tenantId: string,
  bookingNumber: string,
  order: SealBooking,
  audit: AuditContext,
): Promise<Booking> {
  const at = toIsoSeconds(deps.clock.now());
  const result = await removePersonData(
    deps,
    tenantId,
    bookingNumber,
    { kind: 'seal', sealed: { at, reason: order.reason, orderReference: order.orderReference } },
    at,
    audit,
  );
  if (result.kind === 'not-found') throw notFound('The booking');
  if (result.kind === 'open-hold') {
    throw refuse('open-hold-exists', 'A hold on this booking is open; seal it once the hold is closed.');
  }
  if (result.kind === 'conflict') {
    throw refuse('concurrent-modification', 'The booking kept changing meanwhile; retry.');
  }
  // After the seal committed, so a PUT that finished just before it leaves no replayable copy; a
  // repeated seal repeats this too (a crash between the two steps is healed by retrying).
  await removePersonDataCopies(deps.db, tenantId, [bookingNumber]);
  return result.booking;
}
