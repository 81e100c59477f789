import type { Hold } from '../domain/hold.ts';
import { fieldUpdate } from './items.ts';
import { tenantKeys } from './keys.ts';
import { lifecycleKeys } from './lifecycle-index.ts';
import { checkExists, type Intent, intent, itemExists, type StoredItem } from './unit-of-work.ts';

/**
 * A released booking is listed by its release time until its person data is removed (retention
 * purge, issue 17): store/lifecycle-index.ts owns the keys.
 */
const [listPk, listSk] = lifecycleKeys.attributes;
const releaseListingNames = { '#listPk': listPk, '#listSk': listSk };
const releaseListingValues = (tenantId: string, at: string) => {
  const listing = lifecycleKeys.released(tenantId, at);
  return { ':listPk': listing[listPk], ':listSk': listing[listSk] };
};

/**
 * What a hold's transitions do to its booking (attribute contract in keys.ts: status, facilityId,
 * openHoldId). Each intent names the rule its condition enforces.
 */
/** In memory, for fakes of the storage port: the booking item without its hold marker. */
const withoutOpenHold = (booking: StoredItem | undefined): StoredItem => {
  const { openHoldId: _removed, ...rest } = booking ?? {};
  return rest;
};

/** The jail's own fields of a booking (an undefined one is removed by an upsert). */
export type JailFields = Record<string, unknown>;

export const bookingIntents = {
  /**
   * The jail's upsert of its own fields: a new booking only if the number is free (`expectedVersion`
   * undefined), otherwise only at the version read and while not released. `status` and
   * `createdAt` are set once at creation; the hold engine's attributes are never touched.
   */
  upsert: (
    table: string,
    tenantId: string,
    bookingNumber: string,
    fields: JailFields,
    at: string,
    version: number,
    expectedVersion: number | undefined,
  ): Intent => {
    const update = fieldUpdate(fields, {
      clauses: [
        '#type = :type',
        'tenantId = :tenantId',
        'bookingNumber = :bookingNumber',
        '#status = if_not_exists(#status, :inCustody)',
        'createdAt = if_not_exists(createdAt, :now)',
        'updatedAt = :now',
        'version = :version',
      ],
      names: { '#type': 'type', '#status': 'status' },
      values: {
        ':type': 'Booking',
        ':tenantId': tenantId,
        ':bookingNumber': bookingNumber,
        ':inCustody': 'IN_CUSTODY',
        ':now': at,
        ':version': version,
        ...(expectedVersion !== undefined ? { ':expected': expectedVersion, ':released': 'RELEASED' } : {}),
      },
    });
    const key = tenantKeys.booking(tenantId, bookingNumber);
    return intent(
      'bookings',
      expectedVersion === undefined ? 'booking-absent' : 'booking-unchanged-in-custody',
      {
        Update: {
          TableName: table,
          Key: key,
          ...update,
          ConditionExpression:
            expectedVersion === undefined
              ? 'attribute_not_exists(pk)'
              : 'version = :expected AND #status <> :released',
        },
      },
      {
        holds: (booking) =>
          expectedVersion === undefined
            ? booking === undefined
            : booking?.version === expectedVersion && booking.status !== 'RELEASED',
        after: (booking) => {
          const next: StoredItem = {
            ...key,
            ...booking,
            type: 'Booking',
            tenantId,
            bookingNumber,
            status: booking?.status ?? 'IN_CUSTODY',
            createdAt: booking?.createdAt ?? at,
            updatedAt: at,
            version,
          };
          for (const [name, value] of Object.entries(fields)) {
            if (value === undefined) delete next[name];
            else next[name] = value;
          }
          return next;
        },
      },
    );
  },

  /** The booking exists in this county (a warrant names it when it is recorded). */
  mustExist: (table: string, tenantId: string, bookingNumber: string): Intent =>
    checkExists('bookings', 'booking-exists', table, tenantKeys.booking(tenantId, bookingNumber)),

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
            'SET #status = :released, releasedAt = :at, releaseReason = :reason, ' +
            '#listPk = :listPk, #listSk = :listSk REMOVE openHoldId',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status', ...releaseListingNames },
          ExpressionAttributeValues: {
            ':released': 'RELEASED',
            ':at': at,
            ':reason': reason,
            ...releaseListingValues(hold.tenantId, at),
          },
        },
      },
      {
        holds: itemExists,
        after: (booking) => ({
          ...withoutOpenHold(booking),
          status: 'RELEASED',
          releasedAt: at,
          releaseReason: reason,
          ...lifecycleKeys.released(hold.tenantId, at),
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
      { holds: itemExists, after: withoutOpenHold },
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
          UpdateExpression:
            'SET #status = :released, releasedAt = :at, releaseReason = :reason, #listPk = :listPk, #listSk = :listSk',
          ConditionExpression: '#status = :inCustody AND attribute_not_exists(openHoldId)',
          ExpressionAttributeNames: { '#status': 'status', ...releaseListingNames },
          ExpressionAttributeValues: {
            ':released': 'RELEASED',
            ':inCustody': 'IN_CUSTODY',
            ':at': at,
            ':reason': 'RELEASED',
            ...releaseListingValues(tenantId, at),
          },
        },
      },
      {
        holds: (booking) => booking?.status === 'IN_CUSTODY' && booking.openHoldId === undefined,
        after: (booking) => ({
          ...booking,
          status: 'RELEASED',
          releasedAt: at,
          releaseReason: 'RELEASED',
          ...lifecycleKeys.released(tenantId, at),
        }),
      },
    ),
};
