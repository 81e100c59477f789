import { createHash } from 'node:crypto';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chainHash, GENESIS_HASH, stateHash } from '../audit/hash-chain.ts';
import type { Hold, HoldAuditEventType, HoldChange, HoldEventType } from '../domain/hold.ts';
import { isNotification, isOpen } from '../domain/hold.ts';
import type { IdGenerator } from '../ids.ts';
import { type ItemKey, readItem, readItems } from './batch-read.ts';
import type { Db } from './db.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from './items.ts';
import { SK_PREFIX, tenantKeys } from './keys.ts';
import { prefixQuery, queryAll } from './pagination.ts';
import { OPEN_HOLDS_INDEX } from './table-definition.ts';
import { type Intent, intent, putNew, UnitOfWork } from './unit-of-work.ts';

export type { TransactItem } from './unit-of-work.ts';

/** Who caused a change: a credential through the API, or the platform's own timer or sweeper. */
export type Actor =
  | { kind: 'credential'; keyId: string; role: string }
  | { kind: 'system'; name: 'hold-timer' | 'sweeper' | 'retention-purge' };

/** One link of a hold's audit chain (DESIGN.md §5). */
export interface HoldEvent {
  eventId: string;
  tenantId: string;
  holdId: string;
  seq: number;
  type: HoldAuditEventType;
  occurredAt: string;
  actor: Actor;
  requestId?: string;
  before: Hold | null;
  after: Hold;
  /** `stateHash(after)`: what `verify` holds the hold's current item against. */
  stateHash: string;
  prevHash: string;
  hash: string;
}

/** The outbox record the stream consumer turns into webhooks: written in the same transaction. */
export interface OutboxEvent {
  id: string;
  type: HoldEventType;
  occurredAt: string;
  tenantId: string;
  data: { hold: Hold };
}

interface ChainState {
  eventSeq: number;
  eventHash: string;
}

type HoldItem = Hold & ChainState & { pk: string; sk: string; armPending?: boolean };

const OUTBOX_RETENTION_SECONDS = 30 * 86_400;

/** The open-holds index partition of a hold: spread over shards so no partition runs hot. */
export function openHoldsShard(holdId: string): string {
  const bucket = createHash('sha256').update(holdId).digest().readUInt16BE(0) % OPEN_HOLDS_INDEX.shards;
  return `OPENHOLDS#${String(bucket).padStart(2, '0')}`;
}

export const openHoldsSortKey = (sweepAt: string, tenantId: string, holdId: string): string =>
  `${sweepAt}#${tenantId}#${holdId}`;

function toHold(item: Record<string, unknown>): { hold: Hold; chain: ChainState; armPending: boolean } {
  const {
    pk: _pk,
    sk: _sk,
    entity: _entity,
    gsi1pk: _g1,
    gsi1sk: _s1,
    eventSeq,
    eventHash,
    armPending,
    ...hold
  } = item as unknown as HoldItem & { entity: string; gsi1pk?: string; gsi1sk?: string };
  return { hold: hold as Hold, chain: { eventSeq, eventHash }, armPending: armPending === true };
}

export interface StoredHold {
  hold: Hold;
  chain: ChainState;
  armPending: boolean;
}

export async function getHold(
  db: Db,
  tenantId: string,
  holdId: string,
  consistent = false,
): Promise<StoredHold | undefined> {
  const Item = await readItem(db, tenantKeys.hold(tenantId, holdId), { consistent });
  return Item ? toHold(Item) : undefined;
}

/**
 * The hold (strongly consistent) and, in the same BatchGetItem, the caller's API-key item: a
 * request's first read that also checks who asks (DESIGN.md §7). Without `keyRef`, one GetItem.
 */
export async function getHoldWithKey(
  db: Db,
  tenantId: string,
  holdId: string,
  keyRef: ItemKey | undefined,
): Promise<{ stored: StoredHold | undefined; keyItem: Record<string, unknown> | undefined }> {
  if (!keyRef) return { stored: await getHold(db, tenantId, holdId, true), keyItem: undefined };
  const found = await readItems(db, { hold: tenantKeys.hold(tenantId, holdId), key: keyRef });
  return { stored: found.hold ? toHold(found.hold) : undefined, keyItem: found.key };
}

export interface CommitRequest {
  db: Db;
  ids: IdGenerator;
  before: StoredHold | undefined;
  after: Hold;
  changes: HoldChange[];
  actor: Actor;
  requestId?: string;
  /** Other entities' intents in the same transaction (booking, warrant, officer check). */
  related: Intent[];
}

/**
 * Writes a hold change as ONE transaction (a unit of work): the hold (conditional on its version,
 * or on not existing), one audit event per change chained by hash, one outbox event per
 * notification change (audit-only changes such as `hold.reviewed` have none), and the related
 * intents. Either all of it is stored or none; a refusal is a TransactionRefused naming its rule.
 */
export async function commitHoldChange(request: CommitRequest): Promise<HoldEvent[]> {
  const { db, ids, before, after, changes, actor } = request;
  let chain: ChainState = before?.chain ?? { eventSeq: 0, eventHash: GENESIS_HASH };
  const events: HoldEvent[] = [];
  let previous: Hold | null = before?.hold ?? null;
  for (const change of changes) {
    const seq = chain.eventSeq + 1;
    const content = {
      eventId: ids.next(),
      tenantId: after.tenantId,
      holdId: after.holdId,
      seq,
      type: change.type,
      occurredAt: change.occurredAt,
      actor,
      ...(request.requestId ? { requestId: request.requestId } : {}),
      before: previous,
      after,
      stateHash: stateHash(after),
      prevHash: chain.eventHash,
    };
    const event: HoldEvent = { ...content, hash: chainHash(chain.eventHash, content) };
    events.push(event);
    chain = { eventSeq: seq, eventHash: event.hash };
    previous = after;
  }
  const uow = new UnitOfWork(db);
  uow.add(holdIntents.put(db.tableName, before, after, chain), ...request.related);
  for (const event of events) {
    uow.add(holdIntents.appendEvent(db.tableName, event));
    if (isNotification(event.type)) uow.add(outboxIntents.emit(db.tableName, event, after));
  }
  await uow.commit();
  return events;
}

export const holdIntents = {
  /** The hold itself: conditional on the version it was decided on, or on not existing yet. */
  put: (table: string, before: StoredHold | undefined, after: Hold, chain: ChainState): Intent =>
    intent(
      'holds',
      before ? 'hold-unchanged' : 'hold-new',
      {
        Put: {
          TableName: table,
          Item: {
            ...tenantKeys.hold(after.tenantId, after.holdId),
            entity: 'Hold',
            ...after,
            ...chain,
            ...indexAttributes(after),
          },
          ...(before
            ? {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': before.hold.version },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      {
        holds: (current) => (before ? current?.version === before.hold.version : current === undefined),
      },
    ),

  /** One link of the hold's audit chain (DESIGN.md §5); a link written twice is refused. */
  appendEvent: (table: string, event: HoldEvent): Intent =>
    putNew('hold-events', 'event-new', table, {
      ...tenantKeys.holdEvent(event.tenantId, event.holdId, event.seq),
      entity: 'HoldEvent',
      ...event,
    }),
};

export const outboxIntents = {
  /** The webhook notification of a hold event, for the stream consumer; kept 30 days. */
  emit: (table: string, event: HoldEvent, hold: Hold): Intent => {
    const type = event.type as HoldEventType;
    const outbox: OutboxEvent = {
      id: event.eventId,
      type,
      occurredAt: event.occurredAt,
      tenantId: event.tenantId,
      data: { hold },
    };
    const expiresAt = Math.floor(Date.parse(hold.updatedAt) / 1000) + OUTBOX_RETENTION_SECONDS;
    return intent('outbox', 'none', {
      Put: {
        TableName: table,
        Item: { ...tenantKeys.outbox(event.tenantId, event.eventId), entity: 'Outbox', ...outbox, expiresAt },
      },
    });
  },
};

/** Open holds with a pending step are listed in the sparse index by when the sweeper must look at them. */
function indexAttributes(hold: Hold): Record<string, string> {
  if (!isOpen(hold.status) || !hold.nextActionAt) return {};
  return {
    [OPEN_HOLDS_INDEX.partitionKey]: openHoldsShard(hold.holdId),
    [OPEN_HOLDS_INDEX.sortKey]: openHoldsSortKey(hold.nextActionAt, hold.tenantId, hold.holdId),
  };
}

/**
 * The timer could not be armed: list the hold for the sweeper at `retryAt` (earlier than its next
 * step), so it re-arms it. Not a domain change, so the version stays.
 */
export async function markArmPending(db: Db, hold: Hold, retryAt: string): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: tenantKeys.hold(hold.tenantId, hold.holdId),
      UpdateExpression: 'SET armPending = :true, #gsi1pk = :shard, #gsi1sk = :sortKey',
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: {
        '#gsi1pk': OPEN_HOLDS_INDEX.partitionKey,
        '#gsi1sk': OPEN_HOLDS_INDEX.sortKey,
      },
      ExpressionAttributeValues: {
        ':true': true,
        ':shard': openHoldsShard(hold.holdId),
        ':sortKey': openHoldsSortKey(retryAt, hold.tenantId, hold.holdId),
        ':version': hold.version,
      },
    }),
  );
}

/** The timer is armed again: back to the hold's own next-action time in the index. */
export async function clearArmPending(db: Db, hold: Hold): Promise<void> {
  if (!hold.nextActionAt) return;
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: tenantKeys.hold(hold.tenantId, hold.holdId),
      UpdateExpression: 'REMOVE armPending SET #gsi1sk = :sortKey',
      ConditionExpression: 'version = :version',
      ExpressionAttributeNames: { '#gsi1sk': OPEN_HOLDS_INDEX.sortKey },
      ExpressionAttributeValues: {
        ':sortKey': openHoldsSortKey(hold.nextActionAt, hold.tenantId, hold.holdId),
        ':version': hold.version,
      },
    }),
  );
}

export interface OpenHoldRef {
  tenantId: string;
  holdId: string;
}

/** Open holds whose sweep time has come, from one shard of the sparse index (one Query per page). */
export async function dueOpenHolds(db: Db, shard: string, now: string): Promise<OpenHoldRef[]> {
  const items = await queryAll(db, {
    IndexName: OPEN_HOLDS_INDEX.indexName,
    KeyConditionExpression: '#pk = :shard AND #sk <= :upTo',
    ExpressionAttributeNames: { '#pk': OPEN_HOLDS_INDEX.partitionKey, '#sk': OPEN_HOLDS_INDEX.sortKey },
    // '~' sorts after every character of a tenant or hold id: everything due at or before now.
    ExpressionAttributeValues: { ':shard': shard, ':upTo': `${now}#~` },
  });
  const refs = items.map(
    (item): OpenHoldRef => ({ tenantId: String(item.tenantId), holdId: String(item.holdId) }),
  );
  return refs;
}

/** The earliest sweep time in one shard (the local runtime steps its virtual clock by it). */
export async function earliestSweepAt(db: Db, shard: string): Promise<string | undefined> {
  const page = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: OPEN_HOLDS_INDEX.indexName,
      KeyConditionExpression: '#pk = :shard',
      ExpressionAttributeNames: { '#pk': OPEN_HOLDS_INDEX.partitionKey },
      ExpressionAttributeValues: { ':shard': shard },
      Limit: 1,
    }),
  );
  const sortKey = page.Items?.[0]?.[OPEN_HOLDS_INDEX.sortKey];
  return typeof sortKey === 'string' ? sortKey.split('#')[0] : undefined;
}

export const allShards = (): string[] =>
  Array.from(
    { length: OPEN_HOLDS_INDEX.shards },
    (_, index) => `OPENHOLDS#${String(index).padStart(2, '0')}`,
  );

export async function listHoldEvents(db: Db, tenantId: string, holdId: string): Promise<HoldEvent[]> {
  const items = await queryAll(
    db,
    prefixQuery(tenantKeys.hold(tenantId, holdId).pk, SK_PREFIX.holdEvents(holdId), { ConsistentRead: true }),
  );
  const events = items.map((item) => withoutAttributes<HoldEvent>(item, TABLE_ATTRIBUTES));
  return events;
}

export interface HoldPage {
  holds: Hold[];
  nextKey?: Record<string, unknown>;
}

/** A tenant's holds, newest first (ULIDs sort by creation), optionally filtered. */
export async function listHolds(
  db: Db,
  tenantId: string,
  options: {
    limit: number;
    startKey?: Record<string, unknown>;
    status?: string;
    officerId?: string;
    needsReview?: boolean;
  },
): Promise<HoldPage> {
  const filters: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':pk': tenantKeys.hold(tenantId, '').pk,
    ':prefix': SK_PREFIX.hold,
  };
  if (options.status) {
    filters.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = options.status;
  }
  if (options.officerId) {
    filters.push('officerId = :officerId');
    values[':officerId'] = options.officerId;
  }
  if (options.needsReview !== undefined) {
    filters.push('needsReview = :needsReview');
    values[':needsReview'] = options.needsReview;
  }
  const holds: Hold[] = [];
  let startKey = options.startKey;
  // A filter can leave a page short: keep reading until the page is full or the partition ends.
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: options.limit - holds.length,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) holds.push(toHold(item).hold);
    startKey = page.LastEvaluatedKey;
  } while (startKey && holds.length < options.limit);
  return { holds, ...(startKey ? { nextKey: startKey } : {}) };
}
