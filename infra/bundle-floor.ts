/**
 * The SDK floor of `npm run bench:bundle` (DESIGN.md §8): one DynamoDB document client made at
 * module init and one GetItem per event, bundled with the functions' own settings
 * (infra/bundling.ts, the environment credential provider included). Every function's module init
 * is reported as a multiple of this one's. Never deployed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: { id: string }): Promise<Record<string, unknown> | undefined> => {
  const { Item } = await doc.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: event.id, sk: event.id } }),
  );
  return Item;
};
