import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Principal } from '../auth/principal.ts';
import type { IdGenerator } from '../ids.ts';
import { auditAppendItems, readAuditHead, TENANT_AUDIT_SK } from '../store/audit-chains.ts';
import type { Db } from '../store/db.ts';
import { failedConditionIndexes } from '../store/errors.ts';
import type { Actor } from '../store/holds.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from '../store/items.ts';
import { tenantPk } from '../store/keys.ts';
import { type Page, type PageRequest, queryPage } from '../store/pagination.ts';
import { type TransactItem, transactWrite } from '../store/unit-of-work.ts';
import { entityStateHash } from './entity-state.ts';
import { chainHash, GENESIS_HASH } from './hash-chain.ts';

/**
 * Audit chains for every change that is not a hold transition (the tenant itself, its API keys,
 * facilities, officers, bookings, warrants and webhook subscriptions): ONE CHAIN PER ENTITY
 * (DESIGN.md §5). Each entity has a head item (`AUDITHEAD#<kind>#<id>`: last seq and hash) and each
 * change one event (`AUDIT#<eventId>`, a ULID, so the county's events list oldest first), written
 * in the SAME transaction as the change, conditional on that entity's head not having moved. No
 * county-wide item takes part in a write, so writes to different entities never contend.
 */
export { TENANT_AUDIT_SK };

export interface AuditSubject {
  kind: string;
  id: string;
}

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
  subject: AuditSubject;
  occurredAt: string;
  actor: Actor;
  requestId?: string;
  /** The subject before and after, without secrets. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Paths of fields that changed whose values the event does not keep (a booking's person data). */
  changed?: string[];
  /**
   * The hash of the entity's person data after the change (a booking: `personDataHash`), never the
   * values. Absent on a change that leaves person data alone: the entity's last hash carries over.
   */
  personDataHash?: string;
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
  /** The position in the entity's own chain (1 for its first event). */
  seq: number;
  /** The hash of the entity's state after the change: `entityStateHash(kind, after, personData)`. */
  stateHash: string;
  prevHash: string;
  hash: string;
}

/** An entity chain's head: its last event's seq and hash, and the person-data hash it carries. */
export interface ChainHead {
  seq: number;
  hash: string;
  personDataHash?: string;
}

export type AuditedCommit =
  | { ok: true; event: TenantAuditEvent }
  /** `failedIndex` indexes into the caller's own items. */
  | { ok: false; failedIndex: number };

/**
 * A write whose audit append still cannot commit after its retries: the API answers 503 with
 * Retry-After (API.md "Busy"), and nothing was written.
 */
export class AuditChainBusyError extends Error {
  constructor(subject: AuditSubject) {
    super(`the audit chain of ${subject.kind} ${subject.id} stayed busy`);
    this.name = 'AuditChainBusyError';
  }
}

/**
 * Retries after another change of the SAME entity moved its head between our read and our write
 * (rare: distinct entities never share a head). Full-jitter backoff spreads the racers out.
 */
const MAX_TRIES = 8;
const BACKOFF_BASE_MS = 10;
const BACKOFF_CAP_MS = 200;
const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) =>
    setTimeout(resolve, Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt)),
  );

const GENESIS_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

export async function readEntityHead(db: Db, tenantId: string, subject: AuditSubject): Promise<ChainHead> {
  const Item = await readAuditHead(db, tenantId, subject);
  if (!Item) return GENESIS_HEAD;
  return {
    seq: Number(Item.seq),
    hash: String(Item.hash),
    ...(typeof Item.personDataHash === 'string' ? { personDataHash: Item.personDataHash } : {}),
  };
}

/**
 * The append itself, as items for the caller's transaction: the entity's head (conditional on the
 * head read) and the event. This is the seam a unit of work wraps (an `audit.append` intent).
 */
export function entityAuditAppend(
  db: Db,
  tenantId: string,
  change: TenantAuditChange,
  head: ChainHead,
  eventId: string,
): { event: TenantAuditEvent; items: TransactItem[] } {
  const { personDataHash: given, ...rest } = change;
  const personDataHash = given ?? (change.after === null ? undefined : head.personDataHash);
  const content = {
    eventId,
    tenantId,
    seq: head.seq + 1,
    ...rest,
    ...(personDataHash ? { personDataHash } : {}),
    stateHash: entityStateHash(change.subject.kind, change.after, personDataHash ?? null),
    prevHash: head.hash,
  };
  const event: TenantAuditEvent = { ...content, hash: chainHash(head.hash, content) };
  const items = auditAppendItems(
    db.tableName,
    tenantId,
    change.subject,
    head.seq,
    {
      subject: change.subject,
      seq: event.seq,
      hash: event.hash,
      eventId,
      ...(personDataHash ? { personDataHash } : {}),
    },
    event,
  );
  return { event, items };
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
  for (let attempt = 1; ; attempt++) {
    const head = await readEntityHead(db, tenantId, change.subject);
    // A fresh id per attempt: ids grow with time, so the county's listing stays oldest first.
    const { event, items: auditItems } = entityAuditAppend(db, tenantId, change, head, deps.ids.next());
    try {
      await transactWrite(db, [...auditItems, ...items]);
      return { ok: true, event };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = failedConditionIndexes(error);
      const own = failed.find((index) => index >= auditItems.length);
      if (own !== undefined) return { ok: false, failedIndex: own - auditItems.length };
      const raced =
        failed.length > 0 ||
        (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict');
      if (!raced) throw error;
      if (attempt >= MAX_TRIES) throw new AuditChainBusyError(change.subject);
      await backoff(attempt);
    }
  }
}

/** The county's events, oldest first (`AUDIT#<ulid>`): one single-partition Query per page. */
export function listTenantAuditEvents(
  db: Db,
  tenantId: string,
  page: Pick<PageRequest, 'limit' | 'startKey'>,
): Promise<Page<TenantAuditEvent>> {
  return queryPage(db, { pk: tenantPk(tenantId), skPrefix: TENANT_AUDIT_SK.prefix, ...page }, (item) =>
    withoutAttributes<TenantAuditEvent>(item, TABLE_ATTRIBUTES),
  );
}
