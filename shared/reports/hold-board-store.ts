/**
 * The county hold board's read model: one small item per hold in the tenant's partition, kept by
 * the report stream consumer, so the board is one Query of the county's open holds instead of a
 * read of every hold the county ever had.
 *
 *   pk TENANT#<t>  sk HOLDBOARD#<holdId>
 *
 * Writes are conditional on the hold's version growing, so a redelivered or late record never
 * brings back an older state. A closed hold stays as a tombstone (isOpen false) for a few days,
 * so a replay of its earlier versions is refused too; TTL then collects it.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Db } from '../store/db.ts';
import { isConditionFailure } from '../store/errors.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from '../store/items.ts';
import { tenantPk } from '../store/keys.ts';
import { holdImage } from './hold-figures.ts';

const TOMBSTONE_RETENTION_SECONDS = 3 * 86_400;
const BOARD_PREFIX = 'HOLDBOARD#';

export const boardImage = holdImage.extend({
  bookingNumber: z.string(),
  facilityId: z.string(),
  releaseDueAt: z.string().optional(),
});
export type BoardImage = z.infer<typeof boardImage>;

/** What the board shows of an open hold: no person data, only what the jail needs to act. */
export interface BoardEntry {
  holdId: string;
  bookingNumber: string;
  facilityId: string;
  basis: 'WSO' | 'IGSA';
  status: BoardImage['status'];
  servedAt: string;
  deadline?: string;
  releaseDueAt?: string;
  needsReview: boolean;
  version: number;
}

const isOpenStatus = (status: BoardImage['status']): boolean =>
  status === 'ACTIVE' || status === 'RELEASE_DUE' || status === 'OVERDUE';

/** Records the hold's latest state on the board; a stale version is ignored. */
export async function recordOnBoard(db: Db, hold: BoardImage, now: Date): Promise<void> {
  const open = isOpenStatus(hold.status);
  const entry: BoardEntry = {
    holdId: hold.holdId,
    bookingNumber: hold.bookingNumber,
    facilityId: hold.facilityId,
    basis: hold.basis,
    status: hold.status,
    servedAt: hold.servedAt,
    ...(hold.deadline ? { deadline: hold.deadline } : {}),
    ...(hold.releaseDueAt ? { releaseDueAt: hold.releaseDueAt } : {}),
    needsReview: hold.needsReview,
    version: hold.version,
  };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          pk: tenantPk(hold.tenantId),
          sk: `${BOARD_PREFIX}${hold.holdId}`,
          entity: 'HoldBoardEntry',
          ...entry,
          isOpen: open,
          ...(open ? {} : { expiresAt: Math.floor(now.getTime() / 1000) + TOMBSTONE_RETENTION_SECONDS }),
        },
        ConditionExpression: 'attribute_not_exists(pk) OR version < :version',
        ExpressionAttributeValues: { ':version': hold.version },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** The county's open holds, soonest deadline first (IGSA holds, which have none, last). */
export async function listBoard(db: Db, tenantId: string): Promise<BoardEntry[]> {
  const entries: BoardEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'isOpen = :open',
        ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': BOARD_PREFIX, ':open': true },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      entries.push(withoutAttributes<BoardEntry>(item, [...TABLE_ATTRIBUTES, 'isOpen', 'expiresAt']));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const order = (entry: BoardEntry) => entry.deadline ?? '9999';
  return entries.sort((a, b) => order(a).localeCompare(order(b)) || a.servedAt.localeCompare(b.servedAt));
}
