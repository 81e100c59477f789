import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Booking, PutBooking } from '../schemas/booking.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import { fieldUpdate, fromItem } from './items.ts';
import { tenantKeys } from './keys.ts';

const toBooking = (item: Record<string, unknown>): Booking => fromItem<Booking>(item);

export type UpsertResult =
  | { kind: 'created' | 'updated'; booking: Booking }
  | { kind: 'facility-not-found' }
  | { kind: 'released' };

/**
 * Upserts a booking by its number: one conditional UpdateItem. It writes only the jail's own
 * fields, so `status`, `openHoldId` and `releasedAt` (owned by release and the hold engine) are
 * set once at creation (`if_not_exists`) and never touched again; a RELEASED booking refuses it.
 *
 * The facility is read first rather than checked in a transaction: facilities are never deleted,
 * and a single UpdateItem returns the written item, telling created (version 1) from updated.
 */
export async function upsertBooking(
  db: Db,
  tenantId: string,
  bookingNumber: string,
  input: PutBooking,
  now: Date,
): Promise<UpsertResult> {
  const facility = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: tenantKeys.facility(tenantId, input.facilityId),
      ProjectionExpression: 'pk',
    }),
  );
  if (!facility.Item) return { kind: 'facility-not-found' };

  const { facilityId, bookedAt, agencyOri, person, charges, scheduledReleaseAt } = input;
  const update = fieldUpdate(
    // The jail's own fields, replaced wholesale: an optional one left out of the PUT is removed.
    { facilityId, bookedAt, agencyOri, person, charges: charges ?? [], scheduledReleaseAt },
    {
      clauses: [
        '#type = :type',
        'tenantId = :tenantId',
        'bookingNumber = :bookingNumber',
        '#status = if_not_exists(#status, :inCustody)',
        'createdAt = if_not_exists(createdAt, :now)',
        'updatedAt = :now',
        'version = if_not_exists(version, :zero) + :one',
      ],
      names: { '#type': 'type', '#status': 'status' },
      values: {
        ':type': 'Booking',
        ':tenantId': tenantId,
        ':bookingNumber': bookingNumber,
        ':inCustody': 'IN_CUSTODY',
        ':released': 'RELEASED',
        ':now': toIsoSeconds(now),
        ':zero': 0,
        ':one': 1,
      },
    },
  );
  try {
    const { Attributes } = await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: tenantKeys.booking(tenantId, bookingNumber),
        ...update,
        ConditionExpression: 'attribute_not_exists(pk) OR #status <> :released',
        ReturnValues: 'ALL_NEW',
      }),
    );
    const booking = toBooking(Attributes ?? {});
    return { kind: booking.version === 1 ? 'created' : 'updated', booking };
  } catch (error) {
    if (isConditionFailure(error)) return { kind: 'released' };
    throw error;
  }
}

export async function getBooking(
  db: Db,
  tenantId: string,
  bookingNumber: string,
): Promise<Booking | undefined> {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: tenantKeys.booking(tenantId, bookingNumber) }),
  );
  return Item ? toBooking(Item) : undefined;
}
