import { type AuditContext, commitAuditedIntents } from '../audit/tenant-audit.ts';
import type { IdGenerator } from '../ids.ts';
import type { CreateFacility, Facility } from '../schemas/facility.ts';
import { toIsoSeconds } from '../util/time.ts';
import { readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { facilityIntents } from './facility-intents.ts';
import { fromItem } from './items.ts';
import { SK_PREFIX, tenantKeys, tenantPk } from './keys.ts';
import { type Page, type PageRequest, queryPage } from './pagination.ts';

const toFacility = (item: Record<string, unknown>): Facility => fromItem<Facility>(item);

/** Creates a facility with its `facility.created` audit event; undefined when the id is taken. */
export async function createFacility(
  deps: { db: Db; ids: IdGenerator },
  tenantId: string,
  input: CreateFacility,
  now: Date,
  audit: AuditContext,
): Promise<Facility | undefined> {
  const { db } = deps;
  const facility: Facility = { ...input, createdAt: toIsoSeconds(now) };
  const result = await commitAuditedIntents(
    deps,
    tenantId,
    {
      type: 'facility.created',
      subject: { kind: 'facility', id: input.facilityId },
      occurredAt: facility.createdAt,
      ...audit,
      before: null,
      after: { ...facility },
    },
    [facilityIntents.create(db.tableName, tenantId, facility)],
  );
  return result.ok ? facility : undefined;
}

export async function getFacility(
  db: Db,
  tenantId: string,
  facilityId: string,
): Promise<Facility | undefined> {
  const Item = await readItem(db, tenantKeys.facility(tenantId, facilityId));
  return Item ? toFacility(Item) : undefined;
}

export async function listFacilities(
  db: Db,
  tenantId: string,
  page: Pick<PageRequest, 'limit' | 'startKey'>,
): Promise<Page<Facility>> {
  return queryPage(db, { pk: tenantPk(tenantId), skPrefix: SK_PREFIX.facility, ...page }, toFacility);
}
