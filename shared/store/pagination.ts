import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db.ts';

/** Paging over one kind of item in one tenant partition: a single-partition Query on an sk prefix. */
export interface PageRequest {
  pk: string;
  skPrefix: string;
  limit: number;
  /** The `nextKey` of the previous page (the route decodes it from `?nextToken=`). */
  startKey?: Record<string, unknown> | undefined;
}

export interface Page<T> {
  items: T[];
  /** Present while more items may follow. */
  nextKey?: { pk: string; sk: string };
}

export async function queryPage<T>(
  db: Db,
  request: PageRequest,
  toItem: (item: Record<string, unknown>) => T,
): Promise<Page<T>> {
  // One more than asked for, so a last page that is exactly full carries no key that leads nowhere.
  const { Items = [], LastEvaluatedKey } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': request.pk, ':prefix': request.skPrefix },
      Limit: request.limit + 1,
      ...(request.startKey ? { ExclusiveStartKey: request.startKey } : {}),
    }),
  );
  const items = Items.slice(0, request.limit);
  const lastSk = items.at(-1)?.sk;
  // DynamoDB also stops at 1 MB read; then LastEvaluatedKey says more may follow.
  const more = Items.length > request.limit || LastEvaluatedKey !== undefined;
  return {
    items: items.map(toItem),
    ...(more && typeof lastSk === 'string' ? { nextKey: { pk: request.pk, sk: lastSk } } : {}),
  };
}
