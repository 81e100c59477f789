import type { Principal } from '../auth/principal.ts';
import type { IdGenerator } from '../ids.ts';
import {
  AuditChainBusyError,
  auditHeadKey,
  auditIntents,
  auditRacePolicy,
  isAuditRace,
  readAuditHead,
  TENANT_AUDIT_SK,
} from '../store/audit-chains.ts';
import { type ItemKey, readItem, readItems } from '../store/batch-read.ts';
import type { Db } from '../store/db.ts';
import type { Actor } from '../store/holds.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from '../store/items.ts';
import { tenantPk } from '../store/keys.ts';
import { type Page, type PageRequest, queryPage } from '../store/pagination.ts';
import {
  type Intent,
  type Refusal,
  retryLostRaces,
  type StoredItem,
  TransactionRefused,
  UnitOfWork,
} from '../store/unit-of-work.ts';
import { entityStateHash } from './entity-state.ts';
import { chainHash, GENESIS_HASH } from './hash-chain.ts';

/**
 * Audit chains for every change that is not a hold transition (the tenant itself, its API keys,
 * facilities, officers, bookings, warrants, webhook subscriptions and the people who may sign in to
 * its pages): ONE CHAIN PER ENTITY
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
  'booking.sealed',
  'booking.purged',
  'warrant.recorded',
  'warrant.withdrawn',
  'webhook.created',
  'webhook.deleted',
  'webhook.redelivered',
  'signin.mapped',
  'signin.removed',
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

export { AuditChainBusyError, auditRacePolicy };

const GENESIS_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The head as its item stores it (GENESIS before the entity's first event). */
export const headOf = (item: Record<string, unknown> | undefined): ChainHead =>
  item
    ? {
        seq: Number(item.seq),
        hash: String(item.hash),
        ...(typeof item.personDataHash === 'string' ? { personDataHash: item.personDataHash } : {}),
      }
    : GENESIS_HEAD;

export async function readEntityHead(db: Db, tenantId: string, subject: AuditSubject): Promise<ChainHead> {
  return headOf(await readAuditHead(db, tenantId, subject));
}

/**
 * The append as intents for the caller's unit of work (`auditIntents.append`): the entity's head
 * (conditional on the head read) and the event, whose hash chains it to the head read.
 */
export function entityAuditAppend(
  db: Db,
  tenantId: string,
  change: TenantAuditChange,
  head: ChainHead,
  eventId: string,
): { event: TenantAuditEvent; intents: Intent[] } {
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
  const intents = auditIntents.append(
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
  return { event, intents };
}

/** What a change decided from its fresh read: its own intents and audit change, or nothing to do. */
export type AuditedDecision<T> =
  | { change: TenantAuditChange; intents: readonly Intent[]; result: T }
  | { unchanged: T };

const HEAD = 'auditHead';

/**
 * One audited change of one entity, read-decide-commit: reads `wanted` and the entity's audit head
 * in ONE request (port `read`), lets `decide` build the change's intents, and commits them with the
 * audit append as ONE unit of work. A race on the head (another change of the same entity first) is
 * retried from a fresh read by retryLostRaces (`auditRacePolicy`: backoff, then 503); a refusal by
 * the caller's own intents is thrown to it (TransactionRefused) unless `isRace` says to retry.
 */
export async function commitAudited<K extends string, T>(
  deps: { db: Db; ids: IdGenerator },
  tenantId: string,
  subject: AuditSubject,
  wanted: Readonly<Record<K, ItemKey | undefined>>,
  decide: (found: Record<K, StoredItem | undefined>) => AuditedDecision<T> | Promise<AuditedDecision<T>>,
  isRace: (error: unknown) => boolean = isAuditRace,
): Promise<{ result: T; event?: TenantAuditEvent }> {
  const { db } = deps;
  return retryLostRaces(
    `${subject.kind} ${subject.id}`,
    async () => {
      const headKey = auditHeadKey(tenantId, subject);
      // The head alone is one GetItem; with the change's own reads, one BatchGetItem.
      const found: Record<string, StoredItem | undefined> =
        Object.keys(wanted).length === 0
          ? { [HEAD]: await readItem(db, headKey, { consistent: true }) }
          : await readItems(db, { ...wanted, [HEAD]: headKey });
      const decision = await decide(found as Record<K, StoredItem | undefined>);
      if ('unchanged' in decision) return { result: decision.unchanged };
      // A fresh id per attempt: ids grow with time, so the county's listing stays oldest first.
      const { event, intents } = entityAuditAppend(
        db,
        tenantId,
        decision.change,
        headOf(found[HEAD]),
        deps.ids.next(),
      );
      await new UnitOfWork(db).add(...decision.intents, ...intents).commit();
      return { result: decision.result, event };
    },
    isRace,
    auditRacePolicy,
  );
}

/**
 * One attempt, for a caller inside its own retryLostRaces (with `auditRacePolicy`): reads the
 * entity's head, and commits `intents` with the audit append as ONE unit of work. Any refusal is
 * thrown (TransactionRefused) for the caller's loop to decide again from fresh reads.
 */
export async function commitWithAuditOnce(
  deps: { db: Db; ids: IdGenerator },
  tenantId: string,
  change: TenantAuditChange,
  intents: readonly Intent[],
): Promise<TenantAuditEvent> {
  const head = await readEntityHead(deps.db, tenantId, change.subject);
  const append = entityAuditAppend(deps.db, tenantId, change, head, deps.ids.next());
  await new UnitOfWork(deps.db).add(...intents, ...append.intents).commit();
  return append.event;
}

/**
 * Commits `intents` with the audit event of `change` as ONE unit of work (a race on the head is
 * retried as commitAudited retries it); a refusal by the caller's own intents is returned, not
 * thrown, so the caller maps its module and rule to its 404/409.
 */
export async function commitAuditedIntents(
  deps: { db: Db; ids: IdGenerator },
  tenantId: string,
  change: TenantAuditChange,
  intents: readonly Intent[],
): Promise<{ ok: true; event: TenantAuditEvent } | { ok: false; refusal: Refusal }> {
  try {
    const { event } = await commitAudited(deps, tenantId, change.subject, {}, () => ({
      change,
      intents,
      result: undefined,
    }));
    return { ok: true, event: event as TenantAuditEvent };
  } catch (error) {
    const refusal = error instanceof TransactionRefused ? error.refusals[0] : undefined;
    if (refusal) return { ok: false, refusal };
    throw error;
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
