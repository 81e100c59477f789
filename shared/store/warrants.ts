import { type AuditContext, commitAuditedIntents } from '../audit/tenant-audit.ts';
import type { IdGenerator } from '../ids.ts';
import type { RecordWarrant, Warrant } from '../schemas/warrant.ts';
import { toIsoSeconds } from '../util/time.ts';
import { readItem } from './batch-read.ts';
import { bookingIntents } from './booking-intents.ts';
import type { Db } from './db.ts';
import { fromItem } from './items.ts';
import { tenantKeys } from './keys.ts';
import { warrantIntents } from './warrant-intents.ts';

const toWarrant = (item: Record<string, unknown>): Warrant => fromItem<Warrant>(item);

export type RecordWarrantResult =
  | { kind: 'created'; warrant: Warrant }
  | { kind: 'booking-not-found' }
  | { kind: 'exists' };

/**
 * Records a RECEIVED warrant, checking in the same transaction that the booking it names exists in
 * this tenant, with its `warrant.recorded` audit event. `status` and `bookingNumber` follow the
 * contract in keys.ts; service sets `holdId`.
 */
export async function recordWarrant(
  deps: { db: Db; ids: IdGenerator },
  tenantId: string,
  input: RecordWarrant,
  now: Date,
  audit: AuditContext,
): Promise<RecordWarrantResult> {
  const { db } = deps;
  const at = toIsoSeconds(now);
  const warrant: Warrant = { ...input, status: 'RECEIVED', receivedAt: at, updatedAt: at, version: 1 };
  const result = await commitAuditedIntents(
    deps,
    tenantId,
    {
      type: 'warrant.recorded',
      subject: { kind: 'warrant', id: input.warrantId },
      occurredAt: at,
      ...audit,
      before: null,
      after: { ...warrant },
    },
    [
      bookingIntents.mustExist(db.tableName, tenantId, input.bookingNumber),
      warrantIntents.record(db.tableName, tenantId, warrant),
    ],
  );
  if (!result.ok)
    return result.refusal.module === 'bookings' ? { kind: 'booking-not-found' } : { kind: 'exists' };
  return { kind: 'created', warrant };
}

export async function getWarrant(
  db: Db,
  tenantId: string,
  warrantId: string,
  consistent = false,
): Promise<Warrant | undefined> {
  const Item = await readItem(db, tenantKeys.warrant(tenantId, warrantId), { consistent });
  return Item ? toWarrant(Item) : undefined;
}
