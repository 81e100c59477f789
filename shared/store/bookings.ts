import { isDeepStrictEqual } from 'node:util';
import { bookingAuditView, changedPersonData } from '../audit/booking-audit.ts';
import { personDataHash } from '../audit/person-data.ts';
import { type AuditContext, auditRacePolicy, commitWithAuditOnce } from '../audit/tenant-audit.ts';
import type { IdGenerator } from '../ids.ts';
import type { Booking, PutBooking } from '../schemas/booking.ts';
import { toIsoSeconds } from '../util/time.ts';
import { readItem, readItems } from './batch-read.ts';
import { bookingIntents } from './booking-intents.ts';
import type { Db } from './db.ts';
import { fromItem, withoutAttributes } from './items.ts';
import { tenantKeys } from './keys.ts';
import { lifecycleKeys } from './lifecycle-index.ts';
import { anyRefusal, RacesLost, retryLostRaces } from './unit-of-work.ts';

/** A booking as the API shows it: without the table's keys and its lifecycle-index keys. */
export const toBooking = (item: Record<string, unknown>): Booking =>
  withoutAttributes<Booking>(fromItem<Record<string, unknown>>(item), lifecycleKeys.attributes);

export type UpsertResult =
  | { kind: 'created' | 'updated' | 'unchanged'; booking: Booking }
  | { kind: 'released' }
  /** Sealed (or purged): the booking takes no person data again (issue 17). */
  | { kind: 'sealed' }
  | { kind: 'conflict' };

/**
 * Upserts a booking by its number: one conditional UpdateItem with its audit event
 * (`booking.recorded` for a new number, `booking.updated` after), in one transaction conditional
 * on the version read. It writes only the jail's own fields, so `status`, `openHoldId` and
 * `releasedAt` (owned by release and the hold engine) are set once at creation (`if_not_exists`)
 * and never touched again; a RELEASED booking refuses it. A booking whose jail fields already are
 * the ones sent is left as it is (`unchanged`: no write, no audit event), so a vendor's repeated
 * PUT or re-sent batch changes nothing.
 *
 * The caller checks the facility first (facilities are never deleted, so it need not be a
 * condition of the transaction).
 */
export async function upsertBooking(
  deps: { db: Db; ids: IdGenerator },
  tenantId: string,
  bookingNumber: string,
  input: PutBooking,
  now: Date,
  audit: AuditContext,
  /** The booking as a batch read it just before (`getBookings`): saves the first attempt's read. */
  known?: { booking: Booking | undefined },
): Promise<UpsertResult> {
  const { db } = deps;
  const at = toIsoSeconds(now);
  const { facilityId, bookedAt, agencyOri, person, charges, scheduledReleaseAt } = input;
  // The jail's own fields, replaced wholesale: an optional one left out of the PUT is removed.
  const fields = { facilityId, bookedAt, agencyOri, person, charges: charges ?? [], scheduledReleaseAt };
  try {
    return await retryLostRaces(
      `booking ${bookingNumber}`,
      async (attempt): Promise<UpsertResult> => {
        // A stale `known` costs at most one refused transaction: the write is conditional on its version.
        const current =
          attempt === 1 && known ? known.booking : await getBooking(db, tenantId, bookingNumber, true);
        if (current?.status === 'RELEASED') return { kind: 'released' };
        // The version condition keeps a seal that lands after this read from being overwritten.
        if (current?.sealed || current?.purged) return { kind: 'sealed' };
        if (current && hasJailFields(current, fields)) return { kind: 'unchanged', booking: current };
        const booking = nextBooking(current, bookingNumber, fields, at);
        // The booking changed (or appeared, or was released) meanwhile, or its audit head moved:
        // the refusal is decided again from a fresh read.
        await commitWithAuditOnce(
          deps,
          tenantId,
          {
            type: current ? 'booking.updated' : 'booking.recorded',
            subject: { kind: 'booking', id: bookingNumber },
            occurredAt: at,
            ...audit,
            before: current ? bookingAuditView(current) : null,
            after: bookingAuditView(booking),
            changed: changedPersonData(current, booking),
            personDataHash: personDataHash(booking),
          },
          [
            bookingIntents.upsert(
              db.tableName,
              tenantId,
              bookingNumber,
              fields,
              at,
              booking.version,
              current?.version,
            ),
          ],
        );
        return { kind: current ? 'updated' : 'created', booking };
      },
      anyRefusal,
      auditRacePolicy,
    );
  } catch (error) {
    if (error instanceof RacesLost) return { kind: 'conflict' };
    throw error;
  }
}

/** Whether the booking already holds exactly these jail fields (an absent optional one included). */
function hasJailFields(current: Booking, fields: Record<string, unknown>): boolean {
  const defined = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
  const stored: Record<string, unknown> = current;
  return isDeepStrictEqual(
    defined(Object.fromEntries(Object.keys(fields).map((name) => [name, stored[name]]))),
    defined(fields),
  );
}

/** The booking as the write leaves it: the jail's fields over whatever the engine owns. */
function nextBooking(
  current: Booking | undefined,
  bookingNumber: string,
  fields: Pick<
    Booking,
    'facilityId' | 'bookedAt' | 'agencyOri' | 'person' | 'charges' | 'scheduledReleaseAt'
  >,
  at: string,
): Booking {
  const {
    agencyOri: _agency,
    scheduledReleaseAt: _scheduled,
    ...kept
  } = current ?? { bookingNumber, status: 'IN_CUSTODY' as const, createdAt: at };
  const jail = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return { ...kept, ...jail, updatedAt: at, version: (current?.version ?? 0) + 1 } as Booking;
}

/** The bookings of these numbers (strongly consistent), in BatchGetItems of 100; absent ones left out. */
export async function getBookings(
  db: Db,
  tenantId: string,
  numbers: readonly string[],
): Promise<Map<string, Booking>> {
  const found = new Map<string, Booking>();
  const unique = [...new Set(numbers)];
  for (let start = 0; start < unique.length; start += BATCH_GET_MAX) {
    const chunk = unique.slice(start, start + BATCH_GET_MAX);
    const items = await readItems(
      db,
      Object.fromEntries(chunk.map((number) => [number, tenantKeys.booking(tenantId, number)])),
    );
    for (const [number, item] of Object.entries(items)) if (item) found.set(number, toBooking(item));
  }
  return found;
}

/** BatchGetItem's most keys per request. */
const BATCH_GET_MAX = 100;

export async function getBooking(
  db: Db,
  tenantId: string,
  bookingNumber: string,
  consistent = false,
): Promise<Booking | undefined> {
  const Item = await readItem(db, tenantKeys.booking(tenantId, bookingNumber), { consistent });
  return Item ? toBooking(Item) : undefined;
}
