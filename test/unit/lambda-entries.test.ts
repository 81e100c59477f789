import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FUNCTION_ENTRIES, type FunctionKey } from '../../infra/bundling.ts';
import { environmentFor, readEnvironment } from '../../shared/runtime/environment.ts';
import { onFirstUse } from '../../shared/runtime/on-first-use.ts';

/** Every SDK client constructed in this test file, by package. */
const constructed = vi.hoisted((): string[] => []);
const counting = vi.hoisted(
  () =>
    <T extends object>(name: string, client: T): T =>
      new Proxy(client, {
        construct(target, args, newTarget) {
          constructed.push(name);
          return Reflect.construct(target as never, args, newTarget) as object;
        },
      }),
);

vi.mock('@aws-sdk/client-dynamodb', async (original) => {
  const actual = await original<typeof import('@aws-sdk/client-dynamodb')>();
  return { ...actual, DynamoDBClient: counting('dynamodb', actual.DynamoDBClient) };
});
vi.mock('@aws-sdk/client-scheduler', async (original) => {
  const actual = await original<typeof import('@aws-sdk/client-scheduler')>();
  return { ...actual, SchedulerClient: counting('scheduler', actual.SchedulerClient) };
});
vi.mock('@aws-sdk/client-sqs', async (original) => {
  const actual = await original<typeof import('@aws-sdk/client-sqs')>();
  return { ...actual, SQSClient: counting('sqs', actual.SQSClient) };
});
vi.mock('@aws-sdk/client-api-gateway', async (original) => {
  const actual = await original<typeof import('@aws-sdk/client-api-gateway')>();
  return { ...actual, APIGatewayClient: counting('api-gateway', actual.APIGatewayClient) };
});
vi.mock('@aws-sdk/client-kms', async (original) => {
  const actual = await original<typeof import('@aws-sdk/client-kms')>();
  return { ...actual, KMSClient: counting('kms', actual.KMSClient) };
});
vi.mock('@aws-sdk/client-sts', async (original) => {
  const actual = await original<typeof import('@aws-sdk/client-sts')>();
  return { ...actual, STSClient: counting('sts', actual.STSClient) };
});

/** What the stacks set (placeholders): every variable any function's definition names. */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'wso-custody-test',
  SCHEDULE_GROUP: 'wso-custody-test-holds',
  HOLD_TIMER_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:wso-custody-test-hold-timer',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/wso-custody-test-scheduler',
  WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/wso-custody-test-webhooks',
  WEBHOOK_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/wso-custody-test-webhooks-dlq',
  TENANT_DATA_ROLE_ARN: 'arn:aws:iam::123456789012:role/wso-custody-test-tenant-data',
  WEBHOOK_SECRETS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
  AUDIT_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
  AUDIT_BUCKET: 'wso-custody-test-audit-checkpoints',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

describe('the Lambda entries', () => {
  beforeAll(() => {
    for (const [name, value] of Object.entries(LAMBDA_ENV)) vi.stubEnv(name, value);
  });
  afterAll(() => vi.unstubAllEnvs());

  it.each(Object.keys(FUNCTION_ENTRIES) as FunctionKey[])(
    'importing %s constructs no AWS client (each is made by the first call that needs it)',
    async (key) => {
      constructed.length = 0;
      const entry: { handler?: unknown } = await import(`../../${FUNCTION_ENTRIES[key]}`);
      expect(typeof entry.handler).toBe('function');
      expect(constructed).toEqual([]);
    },
  );

  it('counts a construction (the check above is not vacuous)', async () => {
    constructed.length = 0;
    const { dbOnFirstUse } = await import('../../shared/runtime/db-on-first-use.ts');
    const db = dbOnFirstUse('wso-custody-test');
    expect(constructed).toEqual([]);
    expect(db.doc).toBe(db.doc);
    expect(constructed).toEqual(['dynamodb']);
  });
});

describe('a function environment', () => {
  it('is read with the variables of its definition; a missing required one fails init by name', () => {
    const env = readEnvironment('stream', { TABLE_NAME: 't', WEBHOOK_QUEUE_URL: 'q', SCHEDULE_GROUP: 'g' });
    expect(env).toEqual({ TABLE_NAME: 't', WEBHOOK_QUEUE_URL: 'q' });
    expect(() => readEnvironment('holdTimer', { TABLE_NAME: 't' })).toThrow(
      'environment variable SCHEDULE_GROUP is required',
    );
    expect(readEnvironment('stream', { TABLE_NAME: 't' }).WEBHOOK_QUEUE_URL).toBeUndefined();
  });

  it('is set by the stacks without the optional values they leave out', () => {
    expect(environmentFor('stream', { TABLE_NAME: 't', WEBHOOK_QUEUE_URL: undefined })).toEqual({
      TABLE_NAME: 't',
    });
  });
});

describe('onFirstUse', () => {
  it('loads once for concurrent callers, and again after a failed load', async () => {
    let calls = 0;
    const load = onFirstUse(async () => {
      calls++;
      if (calls === 1) throw new Error('chunk missing');
      return calls;
    });
    await expect(load()).rejects.toThrow('chunk missing');
    const [a, b] = await Promise.all([load(), load()]);
    expect([a, b, calls]).toEqual([2, 2, 2]);
    expect(await load()).toBe(2);
  });
});
