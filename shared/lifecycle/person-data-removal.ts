import { bookingAuditView, changedPersonData } from '../audit/booking-audit.ts';
import { personDataHash } from '../audit/person-data.ts';
import { type AuditContext, auditRacePolicy, commitWithAuditOnce } from '../audit/tenant-audit.ts';
import type { IdGenerator } from '../ids.ts';
import type { Booking, BookingPurged, BookingSealed } from '../schemas/booking.ts';
import { toBooking } from '../store/bookings.ts';
import type { Db } from '../store/db.ts';
import { leaveReleaseListing } from '../store/lifecycle-index.ts';
import { deletePersonDataCopies, personDataIntents, readBookingItem } from '../store/person-data.ts';
import { anyRefusal, RacesLost, retryLostRaces } from '../store/unit-of-work.ts';

/**
 * THE one code path that removes a booking's person data (issue 17): a seal by court order and
 * the retention purge both come through here. Inventory of where person data lives and why this
 * is all of it: README.md beside this file.
 *
 * What a booking keeps is a list of what may stay (never a list of what must go), so a person
 * field added to bookings later is removed without anyone remembering this module.
 */
const BOOKING_KEEPS: ReadonlySet<string> = new Set([
  // The table's own attributes.
  'pk',
  'sk',
  'type',
  'entity',
  'tenantId',
  // Custody facts without the person: number, facility, agency, dates, status, lifecycle marks.
  'bookingNumber',
  'facilityId',
  'agencyOri',
  'bookedAt',
  'scheduledReleaseAt',
  'status',
  'openHoldId',
  'releasedAt',
  'releaseReason',
  'createdAt',
  'updatedAt',
  'version',
  'sealed',
  'purged',
] satisfies readonly (keyof Booking | 'pk' | 'sk' | 'type' | 'entity' | 'tenantId')[]);

export type Removal = { kind: 'seal'; sealed: BookingSealed } | { kind: 'purge'; purged: BookingPurged };

export type RemovalResult =
  /** Removed now, with the booking's audit event (`booking.sealed` or `booking.purged`). */
  | { kind: 'removed'; booking: Booking }
  /** Nothing to do: sealed already (a seal), or sealed or purged already (a purge). */
  | { kind: 'unchanged'; booking: Booking }
  | { kind: 'not-found' }
  | { kind: 'open-hold' }
  | { kind: 'conflict' };

/**
 * Removes the booking's person data in ONE transaction: the booking's conditional update (on the
 * version read and no open hold) and its audit event on the booking's own chain. The event keeps
 * which fields went (`changed`) and the person-data hash of what is left, so `verify` holds the
 * stored booking against it as before; it never held the values, so nothing in the chain changes.
 * A hold never copies person data (it names the booking by number), so holds, the hold board,
 * webhooks and figures need no change. Copies in idempotency records: `removePersonDataCopies`.
 */
export async function removePersonData(
  deps: { db: Db; ids: IdGenerator },
  tenantId: string,
  bookingNumber: string,
  removal: Removal,
  at: string,
  audit: AuditContext,
): Promise<RemovalResult> {
  const { db } = deps;
  try {
    return await retryLostRaces(
      `booking ${bookingNumber}`,
      async (): Promise<RemovalResult> => {
        const item = await readBookingItem(db, tenantId, bookingNumber);
        if (!item) return { kind: 'not-found' };
        const current = toBooking(item);
        if (removal.kind === 'seal' && current.sealed) return { kind: 'unchanged', booking: current };
        if (removal.kind === 'purge' && (current.sealed || current.purged)) {
          // Sealed before its release: nothing left to purge; only the release listing remains.
          await leaveReleaseListing(db, tenantId, bookingNumber);
          return { kind: 'unchanged', booking: current };
        }
        if (current.openHoldId) return { kind: 'open-hold' };
        const mark = removal.kind === 'seal' ? { sealed: removal.sealed } : { purged: removal.purged };
        const remove = Object.keys(item).filter((name) => !BOOKING_KEEPS.has(name));
        const kept = Object.fromEntries(Object.entries(current).filter(([name]) => BOOKING_KEEPS.has(name)));
        const next = { ...kept, ...mark, updatedAt: at, version: current.version + 1 } as Booking;
        // A refusal (an update or a hold served meanwhile, or the audit head moved) is decided
        // again from a fresh read.
        await commitWithAuditOnce(
          deps,
          tenantId,
          {
            type: removal.kind === 'seal' ? 'booking.sealed' : 'booking.purged',
            subject: { kind: 'booking', id: bookingNumber },
            occurredAt: at,
            ...audit,
            before: bookingAuditView(current),
            after: bookingAuditView(next),
            changed: changedPersonData(current, next),
            personDataHash: personDataHash(next),
          },
          [
            personDataIntents.remove(db.tableName, tenantId, bookingNumber, {
              remove,
              set: { ...mark, updatedAt: at },
              expectedVersion: current.version,
            }),
          ],
        );
        return { kind: 'removed', booking: next };
      },
      anyRefusal,
      auditRacePolicy,
    );
  } catch (error) {
    if (error instanceof RacesLost) return { kind: 'conflict' };
    throw error;
  }
}

/**
 * Deletes what idempotency records keep of these bookings' person data (a PUT's or a NIEM
 * upsert's response, replayed for 24 h). A retry of such a request with its old key then runs
 * again and is refused (`booking-sealed` or `booking-released`) instead of replaying the person.
 */
export const removePersonDataCopies = (
  db: Db,
  tenantId: string,
  bookingNumbers: readonly string[],
): Promise<number> => deletePersonDataCopies(db, tenantId, bookingNumbers);
