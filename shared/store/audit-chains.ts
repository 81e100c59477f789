import { readEveryItem, readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { tenantPk } from './keys.ts';
import type { TransactItem } from './unit-of-work.ts';

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

/**
 * The append as items for the caller's transaction: the entity's head, conditional on the head the
 * caller read (`previousSeq`, 0 for none), and the event, conditional on being new.
 */
export function auditAppendItems(
  tableName: string,
  tenantId: string,
  subject: Subject,
  previousSeq: number,
  head: Record<string, unknown>,
  event: { eventId: string },
): TransactItem[] {
  const pk = tenantPk(tenantId);
  return [
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
      Put: {
        TableName: tableName,
        Item: { pk, sk: TENANT_AUDIT_SK.event(event.eventId), entity: 'AuditEvent', ...event },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}
