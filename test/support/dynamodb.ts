import { afterAll } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';

let started: Promise<DynamoDbLocal> | undefined;

// Registered when a test file imports this module, so the file's DynamoDB Local stops with the file.
afterAll(async () => {
  await (await started)?.stop();
});

/**
 * This test file's own DynamoDB Local (in memory), started on first use. One per file, not one per
 * run: an instance that has served many files slows down several times over even after their tables
 * are deleted (one file against the same instance three times: 18 s, 34 s, 97 s), which made
 * `npm test` take twice as long as its files do alone. A JVM start costs about 3 s.
 */
export async function testDynamoEndpoint(): Promise<string> {
  started ??= startDynamoDbLocal({ quickStart: true });
  return (await started).endpoint;
}
