import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CreateFacility, Facility } from '../schemas/facility.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import { fromItem } from './items.ts';
import { SK_PREFIX, tenantKeys, tenantPk } from './keys.ts';
import { type Page, type PageRequest, queryPage } from './pagination.ts';

const toFacility = (item: Record<string, unknown>): Facility => fromItem<Facility>(item);

/** Creates a facility; undefined when the id is taken in this tenant. */
export async function createFacility(
  db: Db,
  tenantId: string,
  input: CreateFacility,
  now: Date,
): Promise<Facility | undefined> {
  const facility: Facility = { ...input, createdAt: toIsoSeconds(now) };
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { ...tenantKeys.facility(tenantId, input.facilityId), type: 'Facility', tenantId, ...facility },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
  return facility;
}

export async function getFacility(
  db: Db,
  tenantId: string,
  facilityId: string,
): Promise<Facility | undefined> {
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: tenantKeys.facility(tenantId, facilityId) }),
  );
  return Item ? toFacility(Item) : undefined;
}

export async function listFacilities(
  db: Db,
  tenantId: string,
  page: Pick<PageRequest, 'limit' | 'startKey'>,
): Promise<Page<Facility>> {
  return queryPage(db, { pk: tenantPk(tenantId), skPrefix: SK_PREFIX.facility, ...page }, toFacility);
}
