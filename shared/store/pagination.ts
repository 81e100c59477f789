import { QueryCommand, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
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

/** A Query as a module states it: everything but the table and the page position. */
export type QueryRequest = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/**
 * Every page of one Query, in order (DynamoDB stops each page at 1 MB or `Limit`). The caller may
 * stop early (a count that reached its cap): no further page is read then.
 */
export async function* queryPages(db: Db, request: QueryRequest): AsyncGenerator<QueryCommandOutput> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({ ...request, TableName: db.tableName, ExclusiveStartKey: startKey }),
    );
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Every item one Query finds, all pages read. */
export async function queryAll(db: Db, request: QueryRequest): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(db, request)) items.push(...(page.Items ?? []));
  return items;
}

/** The Query of one kind of item in one partition: `pk = :pk AND begins_with(sk, :prefix)`. */
export const prefixQuery = (
  pk: string,
  skPrefix: string,
  extra: Partial<QueryRequest> = {},
): QueryRequest => ({
  ...extra,
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
  ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix, ...(extra.ExpressionAttributeValues ?? {}) },
});
