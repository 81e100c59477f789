import { afterAll, inject } from 'vitest';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';

interface FileDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

let started: Promise<FileDynamo> | undefined;

// Registered when a test file imports this module, so the file's DynamoDB Local stops with the file.
afterAll(async () => {
  await (await started)?.stop();
});

/**
 * This test file's own DynamoDB Local (in memory), taken on first use. One per file, not one per
 * run: an instance that has served many files slows down several times over even after their tables
 * are deleted (one file against the same instance three times: 18 s, 34 s, 97 s), which made
 * `npm test` take twice as long as its files do alone. A JVM start costs 2 to 3 s, so the pool of
 * the Vitest run (test/support/dynamodb-pool.ts) starts each file's instance while the previous file
 * runs; without the pool (another config), the file starts its own.
 */
export async function testDynamoEndpoint(): Promise<string> {
  started ??= takeFromPool() ?? startDynamoDbLocal({ quickStart: true });
  return (await started).endpoint;
}

function takeFromPool(): Promise<FileDynamo> | undefined {
  const pool = inject('dynamoDbPool');
  if (!pool) return undefined;
  return (async () => {
    const response = await fetch(`${pool}/take`, { method: 'POST' });
    const body = (await response.json()) as { id?: number; endpoint?: string; error?: string };
    if (!response.ok || body.id === undefined || body.endpoint === undefined) {
      throw new Error(`DynamoDB Local pool: ${body.error ?? response.status}`);
    }
    const { id, endpoint } = body;
    return {
      endpoint,
      stop: async () => {
        await fetch(`${pool}/release/${id}`, { method: 'POST' });
      },
    };
  })();
}
