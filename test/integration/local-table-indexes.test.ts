import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../local/table.ts';
import { randomSecret } from '../../shared/ids.ts';
import { dynamoClientConfig } from '../../shared/store/db.ts';
import { GLOBAL_INDEXES, LIFECYCLE_INDEX, TableKeys } from '../../shared/store/table-definition.ts';
import { testDynamoEndpoint } from '../support/dynamodb.ts';

/**
 * Kept local data (`npm start` without --in-memory) was made before indexes added since (issue 17:
 * the lifecycle index): starting on it adds them, as a deployment does in AWS.
 */
const client = new DynamoDBClient(dynamoClientConfig({ endpoint: await testDynamoEndpoint() }));
const tableName = `old-${randomSecret(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;

afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
  client.destroy();
});

describe('ensureTable on a table made before an index existed', () => {
  it('adds the missing indexes and leaves the rest alone', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: TableKeys.partitionKey, AttributeType: 'S' },
          { AttributeName: TableKeys.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: TableKeys.partitionKey, KeyType: 'HASH' },
          { AttributeName: TableKeys.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
    await ensureTable(client, tableName);
    await ensureTable(client, tableName);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const names = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort();
    expect(names).toEqual(GLOBAL_INDEXES.map((index) => index.indexName).sort());
    expect(names).toContain(LIFECYCLE_INDEX.indexName);
  });
});
