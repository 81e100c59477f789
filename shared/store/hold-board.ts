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
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { holdImage } from '../reports/hold-figures.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from './items.ts';
import { tenantPk } from './keys.ts';
import { prefixQuery, queryAll } from './pagination.ts';

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
  const items = await queryAll(
    db,
    prefixQuery(tenantPk(tenantId), BOARD_PREFIX, {
      FilterExpression: 'isOpen = :open',
      ExpressionAttributeValues: { ':open': true },
    }),
  );
  const entries = items.map((item) =>
    withoutAttributes<BoardEntry>(item, [...TABLE_ATTRIBUTES, 'isOpen', 'expiresAt']),
  );
  const order = (entry: BoardEntry) => entry.deadline ?? '9999';
  return entries.sort((a, b) => order(a).localeCompare(order(b)) || a.servedAt.localeCompare(b.servedAt));
}
