import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDb, type Db } from '../store/db.ts';

/**
 * The function's table. Every function reads it, so the DynamoDB SDK is part of its initial chunk,
 * but the client is made when a request first reads or writes, not at module init.
 */
export function dbOnFirstUse(tableName: string): Db {
  let doc: DynamoDBDocumentClient | undefined;
  return {
    tableName,
    get doc() {
      doc ??= createDb({ tableName }).doc;
      return doc;
    },
  };
}
