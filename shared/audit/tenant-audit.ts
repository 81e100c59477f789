import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../auth/principal.ts';
import type { IdGenerator } from '../ids.ts';
import type { Db } from '../store/db.ts';
import { failedConditionIndexes } from '../store/errors.ts';
import type { Actor, TransactItem } from '../store/holds.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from '../store/items.ts';
import { tenantPk } from '../store/keys.ts';
import { type Page, type PageRequest, queryPage } from '../store/pagination.ts';
import { chainHash, GENESIS_HASH } from './hash-chain.ts';

/**
 * The tenant's own audit chain, for every change that is not a hold transition (the tenant itself,
 * its API keys, facilities, officers, bookings, warrants and webhook subscriptions). One chain per
 * tenant: a head item (`AUDITHEAD`: last seq and hash) and one event per change (`AUDIT#<seq>`),
 * written in the SAME transaction as the change itself, conditional on the head not having moved.
 * Non-hold changes are rare (a few per day per county), so one head per tenant never runs hot.
 */
export const TENANT_AUDIT_SK = {
  head: 'AUDITHEAD',
  prefix: 'AUDIT#',
  event: (seq: number) => `AUDIT#${String(seq).padStart(9, '0')}`,
} as const;

/** Every change a tenant's own chain records, `<subject>.<verb>` (hold transitions have theirs). */
export const TENANT_AUDIT_EVENT_TYPES = [
  'tenant.created',
  'tenant.settings_changed',
  'apikey.issued',
  'apikey.revoked',
  'facility.created',
  'officer.nominated',
  'officer.credentialed',
  'officer.suspended',
  'booking.recorded',
  'booking.updated',
  'booking.released',
  'warrant.recorded',
  'warrant.withdrawn',
  'webhook.created',
  'webhook.deleted',
  'webhook.redelivered',
] as const;
export type TenantAuditEventType = (typeof TENANT_AUDIT_EVENT_TYPES)[number];

export interface TenantAuditChange {
  type: TenantAuditEventType;
  subject: { kind: string; id: string };
  occurredAt: string;
  actor: Actor;
  requestId?: string;
  /** The subject before and after, without secrets. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Paths of fields that changed whose values the event does not keep (a booking's person data). */
  changed?: string[];
}

/** Who asked and in which request: what every change carries into its audit event. */
export interface AuditContext {
  actor: Actor;
  requestId?: string;
}

export const credentialActor = (
  principal: Principal | undefined,
): Extract<Actor, { kind: 'credential' }> => ({
  kind: 'credential',
  keyId: principal?.keyId ?? 'unknown',
  role: principal?.role ?? 'unknown',
});

export const auditContext = (principal: Principal | undefined, requestId: string): AuditContext => ({
  actor: credentialActor(principal),
  requestId,
});

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

/**
 * Retries after another change moved the head between our read and our write. Every change of a
 * county (bookings included) goes through one head, so a jail's burst of parallel writes queues
 * on it: each round lets one writer through, and full-jitter backoff spreads the others out.
 */
const MAX_TRIES = 30;
const BACKOFF_BASE_MS = 10;
const BACKOFF_CAP_MS = 300;
const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) =>
    setTimeout(resolve, Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)),
  );

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
      if (raced && attempt < MAX_TRIES) {
        await backoff(attempt);
        continue;
      }
      const own = failed.find((index) => index >= auditItems.length);
      if (own !== undefined) return { ok: false, failedIndex: own - auditItems.length };
      throw error;
    }
  }
}

/** The tenant's chain, oldest first (`AUDIT#<seq>` sorts by seq): one single-partition Query per page. */
export function listTenantAuditEvents(
  db: Db,
  tenantId: string,
  page: Pick<PageRequest, 'limit' | 'startKey'>,
): Promise<Page<TenantAuditEvent>> {
  return queryPage(db, { pk: tenantPk(tenantId), skPrefix: TENANT_AUDIT_SK.prefix, ...page }, (item) =>
    withoutAttributes<TenantAuditEvent>(item, TABLE_ATTRIBUTES),
  );
}
