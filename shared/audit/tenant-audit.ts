import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { IdGenerator } from '../ids.ts';
import type { Db } from '../store/db.ts';
import { failedConditionIndexes } from '../store/errors.ts';
import type { Actor, TransactItem } from '../store/holds.ts';
import { tenantPk } from '../store/keys.ts';
import { chainHash, GENESIS_HASH } from './hash-chain.ts';

/**
 * The tenant's own audit chain, for changes that are not hold transitions (webhook subscriptions
 * today; settings, officers and keys can adopt it: see `commitWithTenantAudit`). One chain per
 * tenant: a head item (`AUDITHEAD`: last seq and hash) and one event per change (`AUDIT#<seq>`),
 * written in the SAME transaction as the change itself, conditional on the head not having moved.
 * Non-hold changes are rare (a few per day per county), so one head per tenant never runs hot.
 */
export const TENANT_AUDIT_SK = {
  head: 'AUDITHEAD',
  prefix: 'AUDIT#',
  event: (seq: number) => `AUDIT#${String(seq).padStart(9, '0')}`,
} as const;

export interface TenantAuditChange {
  /** What happened, `<subject>.<verb>`: `webhook.created`, `webhook.deleted`, ... */
  type: string;
  subject: { kind: string; id: string };
  occurredAt: string;
  actor: Actor;
  requestId?: string;
  /** The subject before and after, without secrets. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface TenantAuditEvent extends TenantAuditChange {
  eventId: string;
  tenantId: string;
  seq: number;
  prevHash: string;
  hash: string;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

export type AuditedCommit =
  | { ok: true; event: TenantAuditEvent }
  /** `failedIndex` indexes into the caller's own items. */
  | { ok: false; failedIndex: number };

/** Retries after another change moved the head between our read and our write. */
const MAX_TRIES = 5;

export async function readTenantAuditHead(db: Db, tenantId: string): Promise<ChainHead> {
  const { Item } = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: { pk: tenantPk(tenantId), sk: TENANT_AUDIT_SK.head },
      ConsistentRead: true,
    }),
  );
  return Item ? { seq: Number(Item.seq), hash: String(Item.hash) } : { seq: 0, hash: GENESIS_HASH };
}

/**
 * Writes `items` and the audit event of `change` as ONE transaction: both or neither. A failed
 * condition of the caller's items is returned, not thrown, so the caller maps it to its 404/409.
 */
export async function commitWithTenantAudit(
  deps: { db: Db; ids: IdGenerator },
  tenantId: string,
  change: TenantAuditChange,
  items: readonly TransactItem[],
): Promise<AuditedCommit> {
  const { db } = deps;
  const pk = tenantPk(tenantId);
  const eventId = deps.ids.next();
  for (let attempt = 1; ; attempt++) {
    const head = await readTenantAuditHead(db, tenantId);
    const seq = head.seq + 1;
    const content = {
      eventId,
      tenantId,
      seq,
      ...change,
      prevHash: head.hash,
    };
    const event: TenantAuditEvent = { ...content, hash: chainHash(head.hash, content) };
    const auditItems: TransactItem[] = [
      {
        Put: {
          TableName: db.tableName,
          Item: { pk, sk: TENANT_AUDIT_SK.head, entity: 'AuditHead', seq, hash: event.hash },
          ...(head.seq === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'seq = :prev', ExpressionAttributeValues: { ':prev': head.seq } }),
        },
      },
      {
        Put: {
          TableName: db.tableName,
          Item: { pk, sk: TENANT_AUDIT_SK.event(seq), entity: 'AuditEvent', ...event },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ];
    try {
      await db.doc.send(new TransactWriteCommand({ TransactItems: [...auditItems, ...items] }));
      return { ok: true, event };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = failedConditionIndexes(error);
      const raced =
        failed.some((index) => index < auditItems.length) ||
        (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict');
      if (raced && attempt < MAX_TRIES) continue;
      const own = failed.find((index) => index >= auditItems.length);
      if (own !== undefined) return { ok: false, failedIndex: own - auditItems.length };
      throw error;
    }
  }
}
