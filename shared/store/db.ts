import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoragePort } from './unit-of-work.ts';

/** The table and the client that reaches it: the one storage handle every repository takes. */
export interface Db {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** An in-memory storage port instead of DynamoDB (unit tests of use cases only). */
  port?: StoragePort;
}

export interface DbOptions {
  tableName: string;
  /** DynamoDB Local's URL; absent in AWS. */
  endpoint?: string;
  region?: string;
  client?: DynamoDBClient;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** SDK attempts per DynamoDB call before a throttle or conflict reaches the caller. */
export const DYNAMODB_MAX_ATTEMPTS = 5;

export function dynamoClientConfig(options: { endpoint?: string; region?: string }): DynamoDBClientConfig {
  return {
    region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint, credentials: LOCAL_CREDENTIALS } : {}),
    // The SDK's adaptive retry backs off on throttling instead of failing a transition outright.
    retryMode: 'adaptive',
    maxAttempts: DYNAMODB_MAX_ATTEMPTS,
  };
}

export function createDb(options: DbOptions): Db {
  const client = options.client ?? new DynamoDBClient(dynamoClientConfig(options));
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { doc, tableName: options.tableName };
}
