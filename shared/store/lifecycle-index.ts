import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import { tenantKeys, tenantPk } from './keys.ts';
import { LIFECYCLE_INDEX } from './table-definition.ts';

/**
 * Keys and reads of the person-data lifecycle index (table-definition.ts, LIFECYCLE_INDEX): a
 * released booking whose person data is kept is listed under its tenant by release time; a tenant
 * with a retention period is listed under one small platform partition. Both are single-partition
 * Queries (no Scan); the release partition starts with the tenant's own `TENANT#<t>`.
 */
const RETENTION_TENANTS = 'RETENTION#TENANTS';

export const lifecycleKeys = {
  /** On a booking when it is released (or transferred to ICE); removed when its person data goes. */
  released: (tenantId: string, releasedAt: string) => ({
    [LIFECYCLE_INDEX.partitionKey]: `${tenantPk(tenantId)}#RELEASED`,
    [LIFECYCLE_INDEX.sortKey]: releasedAt,
  }),
  /** On a tenant's profile while it has a retention period. */
  retentionTenant: (tenantId: string) => ({
    [LIFECYCLE_INDEX.partitionKey]: RETENTION_TENANTS,
    [LIFECYCLE_INDEX.sortKey]: tenantId,
  }),
  /** The attribute names, for readers that strip them and writers that remove them. */
  attributes: [LIFECYCLE_INDEX.partitionKey, LIFECYCLE_INDEX.sortKey] as const,
};

export interface IndexPage<T> {
  items: T[];
  nextKey?: Record<string, unknown>;
}

/** Released bookings still holding person data, released before `before` (ISO), oldest first. */
export async function releasedBookingsBefore(
  db: Db,
  tenantId: string,
  before: string,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<IndexPage<string>> {
  const { Items = [], LastEvaluatedKey } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: LIFECYCLE_INDEX.indexName,
      KeyConditionExpression: '#pk = :pk AND #sk < :before',
      ExpressionAttributeNames: { '#pk': LIFECYCLE_INDEX.partitionKey, '#sk': LIFECYCLE_INDEX.sortKey },
      ExpressionAttributeValues: { ':pk': `${tenantPk(tenantId)}#RELEASED`, ':before': before },
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  return {
    items: Items.map((item) => String(item.bookingNumber)),
    ...(LastEvaluatedKey ? { nextKey: LastEvaluatedKey } : {}),
  };
}

/** Tenants with a retention period, by tenant id, with the period in days. */
export async function tenantsWithRetention(
  db: Db,
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<IndexPage<{ tenantId: string; personDataDaysAfterRelease: number }>> {
  const { Items = [], LastEvaluatedKey } = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      IndexName: LIFECYCLE_INDEX.indexName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': LIFECYCLE_INDEX.partitionKey },
      ExpressionAttributeValues: { ':pk': RETENTION_TENANTS },
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  const items = Items.flatMap((item) => {
    const days = (item.retention as { personDataDaysAfterRelease?: unknown } | undefined)
      ?.personDataDaysAfterRelease;
    return typeof days === 'number'
      ? [{ tenantId: String(item.tenantId), personDataDaysAfterRelease: days }]
      : [];
  });
  return { items, ...(LastEvaluatedKey ? { nextKey: LastEvaluatedKey } : {}) };
}

/** Takes a booking off the release listing (its person data is gone already); a no-op if it is off. */
export async function leaveReleaseListing(db: Db, tenantId: string, bookingNumber: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: tenantKeys.booking(tenantId, bookingNumber),
        UpdateExpression: 'REMOVE #pk, #sk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#pk': LIFECYCLE_INDEX.partitionKey, '#sk': LIFECYCLE_INDEX.sortKey },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
