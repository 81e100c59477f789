import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditContext, auditRacePolicy, commitWithAuditOnce } from '../audit/tenant-audit.ts';
import type { IdGenerator } from '../ids.ts';
import type { WebhookEventType } from '../webhooks/event-types.ts';
import type { Delivery, DeliveryAttempt, DeliveryStatus } from '../webhooks/schemas.ts';
import { AuditChainBusyError, isAuditRace } from './audit-chains.ts';
import { readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from './items.ts';
import { tenantPk } from './keys.ts';
import { anyRefusal, type Intent, intent, retryLostRaces } from './unit-of-work.ts';

/**
 * The delivery log: `TENANT#<t>` / `WHDELIVERY#<webhookId>#<eventId>`. Keyed by subscription and
 * event, so creating one is a conditional put that a replayed stream record cannot repeat; the
 * event ids are ULIDs, so a descending Query lists a subscription's deliveries newest first.
 * The exact body sent (`payload`) is kept, so a redelivery sends the same bytes (re-signed).
 */
export const deliveryPrefix = (webhookId: string): string => `WHDELIVERY#${webhookId}#`;
export const deliveryKey = (tenantId: string, webhookId: string, deliveryId: string) => ({
  pk: tenantPk(tenantId),
  sk: `${deliveryPrefix(webhookId)}${deliveryId}`,
});

/** The log keeps this many attempts per delivery (the counters keep the totals). */
export const HISTORY_LENGTH = 20;
/** Re-reads when a concurrent redeliver moved the round (or the audit head) first. */
const MAX_ROUND_ATTEMPTS = 5;
/** Garbage collection of old delivery records (DynamoDB TTL: housekeeping, never a timer). */
const RETENTION_SECONDS = 30 * 86_400;

export interface StoredDelivery extends Delivery {
  tenantId: string;
  /** The raw JSON body sent to the receiver. */
  payload: string;
  /** Attempts in the current round: drives the backoff and the give-up. */
  roundAttempts: number;
}

/** The delivery log entry as the API shows it: not the body, not the bookkeeping. */
export const publicDelivery = ({
  tenantId: _tenantId,
  payload: _payload,
  roundAttempts: _roundAttempts,
  ...delivery
}: StoredDelivery): Delivery => delivery;

/** Items are written only by this module, from values it built, so the read-back shape is known. */
const toStored = (item: Record<string, unknown>): StoredDelivery =>
  withoutAttributes<StoredDelivery>(item, [...TABLE_ATTRIBUTES, 'expiresAt']);

const expiry = (nowIso: string): number => Math.floor(Date.parse(nowIso) / 1000) + RETENTION_SECONDS;

export interface NewDelivery {
  tenantId: string;
  webhookId: string;
  eventId: string;
  eventType: WebhookEventType;
  occurredAt: string;
  payload: string;
  now: string;
}

export type CreateDeliveryResult =
  | { created: true; delivery: StoredDelivery }
  | { created: false; existing: StoredDelivery };

export async function createDelivery(db: Db, input: NewDelivery): Promise<CreateDeliveryResult> {
  const delivery: StoredDelivery = {
    deliveryId: input.eventId,
    webhookId: input.webhookId,
    tenantId: input.tenantId,
    eventId: input.eventId,
    eventType: input.eventType,
    occurredAt: input.occurredAt,
    status: 'PENDING',
    attempts: 0,
    round: 1,
    roundAttempts: 0,
    nextAttemptAt: input.now,
    history: [],
    createdAt: input.now,
    updatedAt: input.now,
    payload: input.payload,
  };
  const key = deliveryKey(input.tenantId, input.webhookId, input.eventId);
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...key, entity: 'WebhookDelivery', ...delivery, expiresAt: expiry(input.now) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { created: true, delivery };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const existing = await getDelivery(db, input.tenantId, input.webhookId, input.eventId);
  if (!existing) throw new Error(`delivery ${key.sk} vanished between its put and its read`);
  return { created: false, existing };
}

export async function getDelivery(
  db: Db,
  tenantId: string,
  webhookId: string,
  deliveryId: string,
): Promise<StoredDelivery | undefined> {
  const Item = await readItem(db, deliveryKey(tenantId, webhookId, deliveryId), { consistent: true });
  return Item ? toStored(Item) : undefined;
}

export interface DeliveryPage {
  items: StoredDelivery[];
  nextKey?: { pk: string; sk: string };
}

export async function listDeliveries(
  db: Db,
  tenantId: string,
  webhookId: string,
  options: { limit: number; startKey?: Record<string, unknown> },
): Promise<DeliveryPage> {
  // One more than asked for, so an exactly full last page carries no token that leads nowhere.
  const { Items = [], LastEvaluatedKey } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':prefix': deliveryPrefix(webhookId) },
      ScanIndexForward: false,
      Limit: options.limit + 1,
      ...(options.startKey ? { ExclusiveStartKey: options.startKey } : {}),
    }),
  );
  const items = Items.slice(0, options.limit);
  const lastSk = items.at(-1)?.sk;
  const more = Items.length > options.limit || LastEvaluatedKey !== undefined;
  return {
    items: items.map(toStored),
    ...(more && typeof lastSk === 'string' ? { nextKey: { pk: tenantPk(tenantId), sk: lastSk } } : {}),
  };
}

export interface AttemptRecord {
  at: string;
  statusCode?: number;
  error?: string;
  latencyMs: number;
  result: 'SUCCEEDED' | 'RETRYING' | 'FAILED';
  nextAttemptAt?: string;
}

const STATUS_OF: Record<AttemptRecord['result'], DeliveryStatus> = {
  SUCCEEDED: 'SUCCEEDED',
  RETRYING: 'RETRYING',
  FAILED: 'FAILED',
};

/**
 * Records one attempt, conditional on nobody having recorded another since `stored` was read (a
 * duplicate queue message racing this one): false means the other message owns this attempt.
 */
export async function recordAttempt(
  db: Db,
  stored: StoredDelivery,
  attempt: AttemptRecord,
): Promise<boolean> {
  const entry: DeliveryAttempt = {
    attempt: stored.attempts + 1,
    round: stored.round,
    at: attempt.at,
    ...(attempt.statusCode !== undefined ? { statusCode: attempt.statusCode } : {}),
    ...(attempt.error !== undefined ? { error: attempt.error } : {}),
    latencyMs: attempt.latencyMs,
    result: attempt.result,
  };
  const fields: Record<string, unknown> = {
    status: STATUS_OF[attempt.result],
    attempts: stored.attempts + 1,
    roundAttempts: stored.roundAttempts + 1,
    history: [...stored.history, entry].slice(-HISTORY_LENGTH),
    lastStatusCode: attempt.statusCode,
    lastError: attempt.error,
    lastLatencyMs: attempt.latencyMs,
    lastAttemptAt: attempt.at,
    nextAttemptAt: attempt.nextAttemptAt,
    deliveredAt: attempt.result === 'SUCCEEDED' ? attempt.at : stored.deliveredAt,
    failedAt: attempt.result === 'FAILED' ? attempt.at : undefined,
    updatedAt: attempt.at,
  };
  const set: string[] = [];
  const remove: string[] = [];
  const names: Record<string, string> = { '#attempts': 'attempts', '#round': 'round' };
  const values: Record<string, unknown> = { ':seen': stored.attempts, ':round': stored.round };
  for (const [name, value] of Object.entries(fields)) {
    names[`#f_${name}`] = name;
    if (value === undefined) remove.push(`#f_${name}`);
    else {
      set.push(`#f_${name} = :f_${name}`);
      values[`:f_${name}`] = value;
    }
  }
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: deliveryKey(stored.tenantId, stored.webhookId, stored.deliveryId),
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: '#attempts = :seen AND #round = :round',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Settles a delivery whose subscription is gone: nothing will ever be sent for it again. */
export async function markOrphaned(db: Db, stored: StoredDelivery, now: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: deliveryKey(stored.tenantId, stored.webhookId, stored.deliveryId),
        UpdateExpression:
          'SET #status = :failed, lastError = :why, failedAt = :now, updatedAt = :now REMOVE nextAttemptAt',
        ConditionExpression: '#round = :round',
        ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
        ExpressionAttributeValues: {
          ':failed': 'FAILED',
          ':why': 'the subscription was deleted',
          ':now': now,
          ':round': stored.round,
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Redeliver: a new round (fresh attempt budget, status PENDING, due now). Messages of earlier
 * rounds still in the queue are dropped by the sender when they come up. Undefined if unknown.
 */
export async function startNewRound(
  deps: { db: Db; ids: IdGenerator },
  tenantId: string,
  webhookId: string,
  deliveryId: string,
  now: string,
  audit: AuditContext,
): Promise<StoredDelivery | undefined> {
  const { db } = deps;
  return retryLostRaces(
    `delivery ${deliveryId}`,
    async (): Promise<StoredDelivery | undefined> => {
      const current = await getDelivery(db, tenantId, webhookId, deliveryId);
      if (!current) return undefined;
      const { failedAt: _cleared, ...rest } = current;
      const next: StoredDelivery = {
        ...rest,
        round: current.round + 1,
        roundAttempts: 0,
        status: 'PENDING',
        nextAttemptAt: now,
        updatedAt: now,
      };
      // The event says which delivery was sent again, never the body it carries (person data).
      const view = (delivery: StoredDelivery) => ({
        deliveryId,
        webhookId,
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        round: delivery.round,
        status: delivery.status,
      });
      // A concurrent redeliver or attempt (or a moved audit head) refuses it: read again.
      await commitWithAuditOnce(
        deps,
        tenantId,
        {
          type: 'webhook.redelivered',
          subject: { kind: 'webhook-delivery', id: deliveryId },
          occurredAt: now,
          ...audit,
          before: view(current),
          after: view(next),
        },
        [deliveryIntents.startRound(db.tableName, tenantId, webhookId, deliveryId, current.round, now)],
      );
      return next;
    },
    anyRefusal,
    {
      ...auditRacePolicy,
      attempts: MAX_ROUND_ATTEMPTS,
      gaveUp: (subject, lastError) =>
        isAuditRace(lastError)
          ? new AuditChainBusyError(subject)
          : new Error(`${subject} kept changing during the redeliver`),
    },
  );
}

/** The delivery's writes that go through a unit of work (the sender's own attempts do not). */
export const deliveryIntents = {
  /** Redeliver: a new round, only on the round read (a concurrent redeliver or attempt refuses it). */
  startRound: (
    table: string,
    tenantId: string,
    webhookId: string,
    deliveryId: string,
    round: number,
    now: string,
  ): Intent =>
    intent(
      'webhook-deliveries',
      'delivery-round-unchanged',
      {
        Update: {
          TableName: table,
          Key: deliveryKey(tenantId, webhookId, deliveryId),
          UpdateExpression:
            'SET #round = :next, roundAttempts = :zero, #status = :pending, nextAttemptAt = :now, updatedAt = :now, expiresAt = :expiresAt REMOVE failedAt',
          ConditionExpression: 'attribute_exists(pk) AND #round = :round',
          ExpressionAttributeNames: { '#round': 'round', '#status': 'status' },
          ExpressionAttributeValues: {
            ':round': round,
            ':next': round + 1,
            ':zero': 0,
            ':pending': 'PENDING',
            ':now': now,
            ':expiresAt': expiry(now),
          },
        },
      },
      {
        holds: (delivery) => delivery !== undefined && delivery.round === round,
        after: (delivery) => {
          const { failedAt: _cleared, ...rest } = delivery ?? {};
          return {
            ...rest,
            round: round + 1,
            roundAttempts: 0,
            status: 'PENDING',
            nextAttemptAt: now,
            updatedAt: now,
            expiresAt: expiry(now),
          };
        },
      },
    ),
};
