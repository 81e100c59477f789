import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { randomSecret } from '../../shared/ids.ts';
import { dynamoClientConfig } from '../../shared/store/db.ts';

export const TEST_START = new Date('2026-11-24T03:00:00Z');

export interface TestRuntimeOptions {
  /**
   * Start a DynamoDB Local of its own instead of using the test run's shared one: for a file whose
   * load would slow (or be slowed by) the other files' tables. Costs one JVM start.
   */
  ownDynamoDb?: boolean;
}

/** A local runtime with its own table and a frozen virtual clock, on the run's shared DynamoDB Local. */
export async function startTestRuntime(options: TestRuntimeOptions = {}): Promise<LocalRuntime> {
  const common = {
    adminKey: `test_admin_${randomSecret(18)}`,
    clock: new VirtualClock({ start: TEST_START }),
  };
  if (options.ownDynamoDb) return startLocalRuntime(common);
  const dynamoEndpoint = inject('dynamoEndpoint');
  const tableName = `test-${randomSecret(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
  const runtime = await startLocalRuntime({ ...common, dynamoEndpoint, tableName });
  return { ...runtime, stop: () => runtime.stop().finally(() => dropTable(dynamoEndpoint, tableName)) };
}

/**
 * The test run's one DynamoDB Local keeps every table in memory with its stream: tables left behind
 * by earlier files slowed the last ones several times over (the soak: 87 s alone, 778 s last).
 */
async function dropTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient(dynamoClientConfig({ endpoint }));
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } finally {
    client.destroy();
  }
}

/** Starts one runtime for the file's tests and stops it afterwards. */
export function useRuntime(options: TestRuntimeOptions = {}): () => LocalRuntime {
  let runtime: LocalRuntime | undefined;
  beforeAll(async () => {
    runtime = await startTestRuntime(options);
  }, 120_000);
  afterAll(async () => {
    // Every tenant key's request ran on the emulated tenant-data role: none may have been refused
    // (it would be AccessDenied in AWS), even where a test did not look at the status it got.
    const refused = runtime?.tenantDb.takeRefusals() ?? [];
    await runtime?.stop();
    expect(refused).toEqual([]);
  });
  return () => {
    if (!runtime) throw new Error('runtime not started');
    return runtime;
  };
}
