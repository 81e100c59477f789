import { afterAll, beforeAll, expect } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { randomSecret } from '../../shared/ids.ts';
import { testDynamoEndpoint } from './dynamodb.ts';

export const TEST_START = new Date('2026-11-24T03:00:00Z');

/** A local runtime with its own table and a frozen virtual clock, on the test file's DynamoDB Local. */
export async function startTestRuntime(): Promise<LocalRuntime> {
  return startLocalRuntime({
    dynamoEndpoint: await testDynamoEndpoint(),
    tableName: `test-${randomSecret(6).replace(/[^a-zA-Z0-9]/g, 'x')}`,
    adminKey: `test_admin_${randomSecret(18)}`,
    clock: new VirtualClock({ start: TEST_START }),
  });
}

/** Starts one runtime for the file's tests and stops it afterwards. */
export function useRuntime(): () => LocalRuntime {
  let runtime: LocalRuntime | undefined;
  beforeAll(async () => {
    runtime = await startTestRuntime();
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
