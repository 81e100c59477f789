import { type ItemKey, readEveryItem, readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { tenantPk } from './keys.ts';
import {
  fullJitterPause,
  type Intent,
  intent,
  putNew,
  RacesLost,
  type RetryPolicy,
  TransactionRefused,
} from './unit-of-work.ts';

/**
 * Storage of the per-entity audit chains other than holds' (DESIGN.md §5): each entity's head item
 * (`AUDITHEAD#<kind>#<id>`: last seq and hash) and one event item per change (`AUDIT#<eventId>`,
 * a ULID, so the county's events list oldest first). This module owns their keys and the
 * condition that keeps a chain linear; shared/audit/tenant-audit.ts builds the events.
 */
export const TENANT_AUDIT_SK = {
  prefix: 'AUDIT#',
  event: (eventId: string) => `AUDIT#${eventId}`,
  headPrefix: 'AUDITHEAD#',
  head: (subject: { kind: string; id: string }) => `AUDITHEAD#${subject.kind}#${subject.id}`,
} as const;

type Subject = { kind: string; id: string };

/** The entity's chain head item as stored (strongly consistent); `undefined` before its first event. */
export const readAuditHead = (db: Db, tenantId: string, subject: Subject) =>
  readItem(db, { pk: tenantPk(tenantId), sk: TENANT_AUDIT_SK.head(subject) }, { consistent: true });

/** Several entities' head items at once, by subject id (BatchGetItem, 100 keys a request). */
export async function readAuditHeads(
  db: Db,
  tenantId: string,
  kind: string,
  ids: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const pk = tenantPk(tenantId);
  const items = await readEveryItem(
    db,
    ids.map((id) => ({ pk, sk: TENANT_AUDIT_SK.head({ kind, id }) })),
  );
  const prefix = TENANT_AUDIT_SK.head({ kind, id: '' });
  return new Map(items.map((item) => [String(item.sk).slice(prefix.length), item]));
}

/** The key of an entity's chain head item (read with the change's own reads, in one BatchGetItem). */
export const auditHeadKey = (tenantId: string, subject: Subject): ItemKey => ({
  pk: tenantPk(tenantId),
  sk: TENANT_AUDIT_SK.head(subject),
});

export const AUDIT_MODULE = 'audit';

export const auditIntents = {
  /**
   * The append, for the caller's unit of work: the entity's head, conditional on the head the
   * caller read (`previousSeq`, 0 for none: the head must not exist yet), and the event,
   * conditional on being new. A refusal of either means another change of the same entity got
   * there first: a lost race (`isAuditRace`), retried from a fresh read of the head.
   */
  append: (
    tableName: string,
    tenantId: string,
    subject: Subject,
    previousSeq: number,
    head: Record<string, unknown>,
    event: { eventId: string },
  ): Intent[] => {
    const pk = tenantPk(tenantId);
    return [
      intent(
        AUDIT_MODULE,
        'audit-head-unchanged',
        {
          Put: {
            TableName: tableName,
            Item: { pk, sk: TENANT_AUDIT_SK.head(subject), entity: 'AuditHead', ...head },
            ...(previousSeq === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: 'seq = :prev', ExpressionAttributeValues: { ':prev': previousSeq } }),
          },
        },
        {
          holds: (current) => (previousSeq === 0 ? current === undefined : current?.seq === previousSeq),
        },
      ),
      putNew(AUDIT_MODULE, 'audit-event-new', tableName, {
        pk,
        sk: TENANT_AUDIT_SK.event(event.eventId),
        entity: 'AuditEvent',
        ...event,
      }),
    ];
  },
};

/**
 * True when a commit was refused only because another change of the same entity moved its audit
 * head first (or by a transaction conflict): retrying from a fresh read of the head may succeed.
 * A refusal by any other module is the caller's own rule and is not a race of the chain.
 */
export const isAuditRace = (error: unknown): boolean =>
  error instanceof TransactionRefused &&
  error.refusals.every((refusal) => refusal.module === AUDIT_MODULE) &&
  (error.lostRace || error.refusals.length > 0);

/**
 * A write whose audit append still cannot commit after its retries: the API answers 503 with
 * Retry-After (API.md "Busy"), and nothing was written.
 */
export class AuditChainBusyError extends Error {
  constructor(subject: string) {
    super(`the audit chain of ${subject} stayed busy`);
    this.name = 'AuditChainBusyError';
  }
}

/**
 * How retryLostRaces treats races on an audit head: a few more attempts than other races, with
 * full-jitter backoff between them (racers on one head spread out instead of colliding again;
 * added when one head per county ran hot, kept for the rarer race on one entity's head), and 503
 * (AuditChainBusyError) when the head stays busy. Races of other rules end as RacesLost (409).
 */
export const auditRacePolicy: RetryPolicy = {
  attempts: 8,
  pause: (attempt, error) => (isAuditRace(error) ? fullJitterPause(attempt) : Promise.resolve()),
  gaveUp: (subject, lastError) =>
    isAuditRace(lastError) ? new AuditChainBusyError(subject) : new RacesLost(subject),
};
