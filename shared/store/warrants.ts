import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { RecordWarrant, Warrant } from '../schemas/warrant.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { Db } from './db.ts';
import { failedConditionIndexes, isConditionFailure } from './errors.ts';
import { fromItem } from './items.ts';
import { tenantKeys } from './keys.ts';

const toWarrant = (item: Record<string, unknown>): Warrant => fromItem<Warrant>(item);

export type RecordWarrantResult =
  | { kind: 'created'; warrant: Warrant }
  | { kind: 'booking-not-found' }
  | { kind: 'exists' };

/**
 * Records a RECEIVED warrant, checking in the same transaction that the booking it names exists in
 * this tenant. `status` and `bookingNumber` follow the contract in keys.ts; service sets `holdId`.
 */
export async function recordWarrant(
  db: Db,
  tenantId: string,
  input: RecordWarrant,
  now: Date,
): Promise<RecordWarrantResult> {
  const at = toIsoSeconds(now);
  const warrant: Warrant = { ...input, status: 'RECEIVED', receivedAt: at, updatedAt: at, version: 1 };
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: db.tableName,
              Key: tenantKeys.booking(tenantId, input.bookingNumber),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          {
            Put: {
              TableName: db.tableName,
              Item: {
                ...tenantKeys.warrant(tenantId, input.warrantId),
                type: 'Warrant',
                tenantId,
                ...warrant,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return failedConditionIndexes(error)[0] === 0 ? { kind: 'booking-not-found' } : { kind: 'exists' };
  }
  return { kind: 'created', warrant };
}

export async function getWarrant(db: Db, tenantId: string, warrantId: string): Promise<Warrant | undefined> {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: tenantKeys.warrant(tenantId, warrantId) }),
  );
  return Item ? toWarrant(Item) : undefined;
}
