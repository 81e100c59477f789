import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ArchivedCheckpoint } from '../audit/checkpoint.ts';
import type { Db } from './db.ts';
import { tenantPk } from './keys.ts';
import { prefixQuery } from './pagination.ts';

/**
 * The table's copy of a county's signed checkpoints (`CHECKPOINT#<seq>`, zero-padded so they list
 * in order). The archive is the record; this copy is where the sealer starts and the API lists.
 */
export const CHECKPOINT_SK = {
  prefix: 'CHECKPOINT#',
  item: (seq: number) => `CHECKPOINT#${String(seq).padStart(12, '0')}`,
} as const;

export async function putCheckpointCopy(
  db: Db,
  tenantId: string,
  archived: ArchivedCheckpoint,
): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: {
        pk: tenantPk(tenantId),
        sk: CHECKPOINT_SK.item(archived.checkpoint.seq),
        entity: 'Checkpoint',
        ...archived,
      },
    }),
  );
}

/** The newest checkpoint seq the table holds a copy of; 0 when none. */
export async function newestCheckpointCopySeq(db: Db, tenantId: string): Promise<number> {
  const { Items = [] } = await db.doc.send(
    new QueryCommand({
      ...prefixQuery(tenantPk(tenantId), CHECKPOINT_SK.prefix),
      TableName: db.tableName,
      ProjectionExpression: 'sk',
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return Items[0] ? Number(String(Items[0].sk).slice(CHECKPOINT_SK.prefix.length)) : 0;
}
