import type { Hold } from '../domain/hold.ts';
import { tenantKeys } from './keys.ts';
import { type Intent, intent, type StoredItem } from './unit-of-work.ts';

/**
 * What a hold's transitions do to its booking (attribute contract in keys.ts: status, facilityId,
 * openHoldId). Each intent names the rule its condition enforces.
 */
/** In memory, for fakes of the storage port: the booking item exists; the item without its hold marker. */
const exists = (booking: StoredItem | undefined): boolean => booking !== undefined;
const withoutOpenHold = (booking: StoredItem | undefined): StoredItem => {
  const { openHoldId: _removed, ...rest } = booking ?? {};
  return rest;
};

export const bookingIntents = {
  /** Serve: the booking is in custody, in the hold's facility, with no other open hold. */
  claimForHold: (table: string, hold: Hold): Intent =>
    intent(
      'bookings',
      'booking-free-in-custody',
      {
        Update: {
          TableName: table,
          Key: tenantKeys.booking(hold.tenantId, hold.bookingNumber),
          UpdateExpression: 'SET openHoldId = :holdId',
          ConditionExpression:
            '#status = :inCustody AND facilityId = :facilityId AND attribute_not_exists(openHoldId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':holdId': hold.holdId,
            ':inCustody': 'IN_CUSTODY',
            ':facilityId': hold.facilityId,
          },
        },
      },
      {
        holds: (booking) =>
          booking?.status === 'IN_CUSTODY' &&
          booking.facilityId === hold.facilityId &&
          booking.openHoldId === undefined,
        after: (booking) => ({ ...booking, openHoldId: hold.holdId }),
      },
    ),

  /** The booking ends with the hold: the person left the jail's custody (released, or to ICE). */
  closeForHold: (table: string, hold: Hold, at: string, reason: 'RELEASED' | 'TRANSFERRED_TO_ICE'): Intent =>
    intent(
      'bookings',
      'booking-exists',
      {
        Update: {
          TableName: table,
          Key: tenantKeys.booking(hold.tenantId, hold.bookingNumber),
          UpdateExpression:
            'SET #status = :released, releasedAt = :at, releaseReason = :reason REMOVE openHoldId',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':released': 'RELEASED', ':at': at, ':reason': reason },
        },
      },
      {
        holds: exists,
        after: (booking) => ({
          ...withoutOpenHold(booking),
          status: 'RELEASED',
          releasedAt: at,
          releaseReason: reason,
        }),
      },
    ),

  /** A cancelled hold frees the booking for another service; the person stays in custody. */
  freeFromHold: (table: string, hold: Hold): Intent =>
    intent(
      'bookings',
      'booking-exists',
      {
        Update: {
          TableName: table,
          Key: tenantKeys.booking(hold.tenantId, hold.bookingNumber),
          UpdateExpression: 'REMOVE openHoldId',
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      { holds: exists, after: withoutOpenHold },
    ),

  /** A release without a hold: only while in custody and no hold appeared meanwhile. */
  release: (table: string, tenantId: string, bookingNumber: string, at: string): Intent =>
    intent(
      'bookings',
      'booking-in-custody-without-hold',
      {
        Update: {
          TableName: table,
          Key: tenantKeys.booking(tenantId, bookingNumber),
          UpdateExpression: 'SET #status = :released, releasedAt = :at, releaseReason = :reason',
          ConditionExpression: '#status = :inCustody AND attribute_not_exists(openHoldId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':released': 'RELEASED',
            ':inCustody': 'IN_CUSTODY',
            ':at': at,
            ':reason': 'RELEASED',
          },
        },
      },
      {
        holds: (booking) => booking?.status === 'IN_CUSTODY' && booking.openHoldId === undefined,
        after: (booking) => ({ ...booking, status: 'RELEASED', releasedAt: at, releaseReason: 'RELEASED' }),
      },
    ),
};
