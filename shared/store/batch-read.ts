import { BatchGetCommand, type BatchGetCommandOutput, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db.ts';

/** The primary key of one item of the table. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** BatchGetItem answered some keys as unprocessed on every round (throttling): the caller answers 503. */
export class ReadThrottledError extends Error {
  constructor() {
    super('BatchGetItem left keys unprocessed after its retries');
    this.name = 'ThrottlingException';
  }
}

const ROUNDS = 5;
const id = (key: ItemKey): string => `${key.pk}\u0000${key.sk}`;

/**
 * Reads several items in ONE BatchGetItem (strongly consistent), asking again only for the keys
 * DynamoDB hands back unprocessed under load. `undefined` for an item that does not exist. The
 * caller's API-key item rides along with an operation's first read this way (DESIGN.md §7).
 */
export async function readItems<K extends string>(
  db: Db,
  wanted: Readonly<Record<K, ItemKey | undefined>>,
): Promise<Record<K, Record<string, unknown> | undefined>> {
  if (db.port) return (await db.port.read(wanted)) as Record<K, Record<string, unknown> | undefined>;
  const asked = Object.entries(wanted).filter((entry): entry is [K, ItemKey] => entry[1] !== undefined);
  const found = new Map<string, Record<string, unknown>>();
  let pending: ItemKey[] = [...new Map(asked.map(([, key]) => [id(key), key])).values()];
  for (let round = 0; pending.length > 0 && round < ROUNDS; round++) {
    const response = await db.doc.send(
      new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const item of response.Responses?.[db.tableName] ?? []) found.set(id(item as ItemKey), item);
    pending = (response.UnprocessedKeys?.[db.tableName]?.Keys ?? []) as ItemKey[];
  }
  if (pending.length > 0) throw new ReadThrottledError();
  const result = {} as Record<K, Record<string, unknown> | undefined>;
  for (const [name, key] of asked) result[name] = found.get(id(key));
  return result;
}

/** One item by its key (GetItem); `undefined` when it does not exist. */
export async function readItem(
  db: Db,
  key: ItemKey,
  options: { consistent?: boolean; projection?: string } = {},
): Promise<Record<string, unknown> | undefined> {
  if (db.port) return (await db.port.read({ item: key })).item;
  const { Item } = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: key,
      ConsistentRead: options.consistent ?? false,
      ...(options.projection ? { ProjectionExpression: options.projection } : {}),
    }),
  );
  return Item;
}

/** BatchGetItem takes at most this many keys a request. */
const BATCH_KEYS = 100;

/**
 * Any number of items (strongly consistent unless asked otherwise), 100 keys a BatchGetItem, asking again for the keys
 * DynamoDB hands back unprocessed until none are left. Items that do not exist are simply absent.
 */
export async function readEveryItem(
  db: Db,
  keys: readonly ItemKey[],
  options: { consistent?: boolean; projection?: string } = {},
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += BATCH_KEYS) {
    let pending: Record<string, unknown>[] | undefined = keys
      .slice(start, start + BATCH_KEYS)
      .map((k) => ({ ...k }));
    while (pending && pending.length > 0) {
      const output: BatchGetCommandOutput = await db.doc.send(
        new BatchGetCommand({
          RequestItems: {
            [db.tableName]: {
              Keys: pending,
              ConsistentRead: options.consistent ?? true,
              ...(options.projection ? { ProjectionExpression: options.projection } : {}),
            },
          },
        }),
      );
      found.push(...(output.Responses?.[db.tableName] ?? []));
      pending = output.UnprocessedKeys?.[db.tableName]?.Keys;
    }
  }
  return found;
}
