import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { tenantKeys, tenantPk } from './keys.ts';
import { type Intent, intent, type StoredItem } from './unit-of-work.ts';

/**
 * The storage side of removing a booking's person data (issue 17: seal and retention purge; the
 * rules live in shared/lifecycle/). Person data is stored in two places only (see
 * shared/lifecycle/README.md for the inventory): the booking item itself, and the responses that
 * idempotency records keep for 24 hours (a replayed PUT or NIEM upsert answers with the booking).
 */

/** The booking item as stored (table attributes included), strongly consistent. */
export async function readBookingItem(
  db: Db,
  tenantId: string,
  bookingNumber: string,
): Promise<Record<string, unknown> | undefined> {
  return readItem(db, tenantKeys.booking(tenantId, bookingNumber), { consistent: true });
}

export const personDataIntents = {
  /**
   * One conditional update of the booking: removes `remove` (attribute names), sets `set`, bumps
   * the version. Conditional on the version read and on no hold being open on it.
   */
  remove: (
    table: string,
    tenantId: string,
    bookingNumber: string,
    change: { remove: readonly string[]; set: Record<string, unknown>; expectedVersion: number },
  ): Intent => {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':expected': change.expectedVersion, ':one': 1 };
    const sets = ['#version = #version + :one'];
    names['#version'] = 'version';
    for (const [index, [name, value]] of Object.entries(change.set).entries()) {
      names[`#s${index}`] = name;
      values[`:s${index}`] = value;
      sets.push(`#s${index} = :s${index}`);
    }
    const removes = change.remove.map((name, index) => {
      names[`#r${index}`] = name;
      return `#r${index}`;
    });
    return intent(
      'bookings',
      'booking-unchanged-without-hold',
      {
        Update: {
          TableName: table,
          Key: tenantKeys.booking(tenantId, bookingNumber),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#version = :expected AND attribute_not_exists(openHoldId)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      {
        holds: (booking) => booking?.version === change.expectedVersion && booking.openHoldId === undefined,
        after: (booking) => {
          const next: StoredItem = { ...booking, ...change.set, version: Number(booking?.version) + 1 };
          for (const name of change.remove) delete next[name];
          return next;
        },
      },
    );
  },
};

const IDEMPOTENCY_PREFIX = 'IDEMPOTENCY#';
/** DynamoDB allows at most 100 operands in an IN list. */
const MAX_NUMBERS_PER_QUERY = 100;

/**
 * Deletes the idempotency records of `bookingNumbers` whose kept response carries person data
 * (a booking with `person`, at the top or under `booking` as the NIEM route answers). One
 * single-partition Query over the tenant's idempotency records (24 h of them) per 100 numbers;
 * records of other responses (a hold, a release) are left alone. Returns how many were deleted.
 */
export async function deletePersonDataCopies(
  db: Db,
  tenantId: string,
  bookingNumbers: readonly string[],
): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < bookingNumbers.length; start += MAX_NUMBERS_PER_QUERY) {
    const numbers = bookingNumbers.slice(start, start + MAX_NUMBERS_PER_QUERY);
    const operands = numbers.map((_, index) => `:n${index}`);
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.doc.send(
        new QueryCommand({
          TableName: db.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression:
            '#r.#b.#n IN (' +
            operands.join(', ') +
            ') AND (attribute_exists(#r.#b.#p) OR attribute_exists(#r.#b.#bk.#p))',
          ExpressionAttributeNames: {
            '#r': 'response',
            '#b': 'body',
            '#n': 'bookingNumber',
            '#p': 'person',
            '#bk': 'booking',
          },
          ExpressionAttributeValues: {
            ':pk': tenantPk(tenantId),
            ':prefix': IDEMPOTENCY_PREFIX,
            ...Object.fromEntries(numbers.map((number, index) => [`:n${index}`, number])),
          },
          ProjectionExpression: 'pk, sk',
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: { pk: item.pk, sk: item.sk } }));
        deleted += 1;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return deleted;
}
