import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyItem } from './api-keys.ts';
import { keyRefByHash, ownerPk } from './api-keys.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import { keys, stateTenantsGsi } from './keys.ts';
import { STATE_INDEX } from './table-definition.ts';

/**
 * What the usage-plan backfill (`npm run admin-key -- --backfill`) reads and writes: the live keys
 * of one owner partition that have no usage-plan key yet, the tenants of a state (the `byState`
 * index), and the usage-plan key recorded on a key's two items. Single-partition Queries, no Scan.
 */

const PAGE_SIZE = 100;

/** The owner's live keys without `apiGatewayKeyId`, a page (of at most 100 read) at a time. */
export async function* keysWithoutUsagePlanKey(db: Db, owner: string): AsyncGenerator<ApiKeyItem[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'attribute_not_exists(revokedAt) AND attribute_not_exists(apiGatewayKeyId)',
        ExpressionAttributeValues: { ':pk': owner, ':prefix': keys.apiKeyPointer(owner, '').sk },
        ConsistentRead: true,
        Limit: PAGE_SIZE,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items = (page.Items ?? []) as ApiKeyItem[];
    if (items.length > 0) yield items;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** The tenant ids of one state, a page at a time (the `byState` index lists each tenant once). */
export async function* tenantIdsOfState(db: Db, state: string): AsyncGenerator<string[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        IndexName: STATE_INDEX.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': STATE_INDEX.partitionKey, '#sk': STATE_INDEX.sortKey },
        ExpressionAttributeValues: { ':pk': stateTenantsGsi(state, '').gsi2pk },
        ProjectionExpression: '#sk',
        Limit: PAGE_SIZE,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const ids = (page.Items ?? []).map((item) => String(item[STATE_INDEX.sortKey]));
    if (ids.length > 0) yield ids;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * Records API Gateway's id of the key's usage-plan key on both of its items, unless the key was
 * revoked or got one meanwhile (then false, and nothing is written). The id is not part of the
 * key's audited view (shared/audit/entity-state.ts), so it goes on no audit chain.
 */
export async function recordUsagePlanKey(db: Db, key: ApiKeyItem, apiGatewayKeyId: string): Promise<boolean> {
  const update = {
    TableName: db.tableName,
    UpdateExpression: 'SET apiGatewayKeyId = :id',
    ConditionExpression:
      'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND attribute_not_exists(apiGatewayKeyId)',
    ExpressionAttributeValues: { ':id': apiGatewayKeyId },
  };
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { ...update, Key: keys.apiKeyPointer(ownerPk(key.scope), key.keyId) } },
          { Update: { ...update, Key: keyRefByHash(key.hash) } },
        ],
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
