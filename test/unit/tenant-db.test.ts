import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TENANT_SESSION_TAG as INFRA_TAG,
  TENANT_DATA_ACTIONS,
} from '../../infra/constructs/tenant-data-role.ts';
import { EMULATED_TENANT_ACTIONS, evaluateTenantPolicy } from '../../local/tenant-data-policy.ts';
import {
  REFRESH_BEFORE_EXPIRY_MS,
  roleSessionName,
  StsTenantDb,
  TENANT_SESSION_SECONDS,
  TENANT_SESSION_TAG,
} from '../../shared/runtime/tenant-db.ts';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/wso-custody-test-tenant-data';
const TABLE = 'wso-custody';

describe('the STS tenant-db adapter', () => {
  const sts = mockClient(STSClient);
  afterEach(() => sts.reset());

  /** A fake STS: credentials named after the call number, valid for the requested duration from `now`. */
  function fakeSts(clock: { now: number }) {
    const calls: AssumeRoleCommandInput[] = [];
    sts.on(AssumeRoleCommand).callsFake(async (input: AssumeRoleCommandInput) => {
      calls.push(input);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return {
        Credentials: {
          AccessKeyId: `AKIA${calls.length}`,
          SecretAccessKey: 'secret',
          SessionToken: `token-${calls.length}`,
          Expiration: new Date(clock.now + (input.DurationSeconds ?? 3600) * 1000),
        },
      };
    });
    return calls;
  }

  const adapter = (clock: { now: number }) =>
    new StsTenantDb({
      roleArn: ROLE_ARN,
      tableName: TABLE,
      sts: new STSClient({ region: 'us-east-1' }),
      now: () => clock.now,
    });

  const accessKeyOf = async (db: {
    doc: { config: { credentials: () => Promise<{ accessKeyId: string }> } };
  }) => (await db.doc.config.credentials()).accessKeyId;

  it('assumes the tenant-data role with one tenant session tag, 900 s, and a valid session name', async () => {
    const clock = { now: Date.parse('2026-11-24T03:00:00Z') };
    const calls = fakeSts(clock);
    const db = await adapter(clock).forTenant('pinellas-fl', 'key 01/ÄB');
    expect(calls).toEqual([
      {
        RoleArn: ROLE_ARN,
        RoleSessionName: 'wso-api-key-01--B',
        Tags: [{ Key: TENANT_SESSION_TAG, Value: 'pinellas-fl' }],
        DurationSeconds: TENANT_SESSION_SECONDS,
      },
    ]);
    expect(TENANT_SESSION_SECONDS).toBe(900);
    expect(db.tableName).toBe(TABLE);
    // The client signs with the assumed credentials, not the function role's.
    expect(await accessKeyOf(db)).toBe('AKIA1');
  });

  it('caches per tenant: one AssumeRole per tenant, shared by concurrent first requests', async () => {
    const clock = { now: Date.parse('2026-11-24T03:00:00Z') };
    const calls = fakeSts(clock);
    const tenants = adapter(clock);
    const [a1, a2] = await Promise.all([tenants.forTenant('a', 'k1'), tenants.forTenant('a', 'k2')]);
    const a3 = await tenants.forTenant('a', 'k3');
    expect(a1).toBe(a2);
    expect(a3).toBe(a1);
    const b = await tenants.forTenant('b', 'k4');
    expect(b).not.toBe(a1);
    expect(calls.map((call) => call.Tags?.[0]?.Value)).toEqual(['a', 'b']);
    expect(await accessKeyOf(b)).toBe('AKIA2');
  });

  it('refreshes shortly before the credentials expire, not after', async () => {
    const clock = { now: Date.parse('2026-11-24T03:00:00Z') };
    const calls = fakeSts(clock);
    const tenants = adapter(clock);
    const first = await tenants.forTenant('a', 'k');
    const expiresAt = clock.now + TENANT_SESSION_SECONDS * 1000;

    clock.now = expiresAt - REFRESH_BEFORE_EXPIRY_MS - 1;
    expect(await tenants.forTenant('a', 'k')).toBe(first);
    expect(calls).toHaveLength(1);

    clock.now = expiresAt - REFRESH_BEFORE_EXPIRY_MS;
    const [second, again] = await Promise.all([tenants.forTenant('a', 'k'), tenants.forTenant('a', 'k')]);
    expect(second).not.toBe(first);
    expect(again).toBe(second);
    expect(calls).toHaveLength(2);
    expect(await accessKeyOf(second)).toBe('AKIA2');
  });

  it('does not cache a failed AssumeRole', async () => {
    const clock = { now: Date.parse('2026-11-24T03:00:00Z') };
    sts.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const tenants = adapter(clock);
    await expect(tenants.forTenant('a', 'k')).rejects.toThrow('denied');
    fakeSts(clock);
    const db = await tenants.forTenant('a', 'k');
    expect(await accessKeyOf(db)).toBe('AKIA1');
  });

  it('names sessions within STS’s rules: 2 to 64 characters of [\\w+=,.@-]', () => {
    for (const source of [
      undefined,
      '',
      '01JABCDEF',
      'admin-0123456789abcdef',
      'a b/c:d#é',
      'x'.repeat(200),
    ]) {
      const name = roleSessionName(source);
      expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
    }
    expect(roleSessionName('01JABCDEF')).toBe('wso-api-01JABCDEF');
  });

  it('uses the session tag and actions the infrastructure grants', () => {
    expect(TENANT_SESSION_TAG).toBe(INFRA_TAG);
    expect([...EMULATED_TENANT_ACTIONS].sort()).toEqual([...TENANT_DATA_ACTIONS].sort());
  });
});

describe('the emulated tenant-data policy', () => {
  const allow = (operation: string, input: Record<string, unknown>) =>
    evaluateTenantPolicy(operation, input, 'a', TABLE).allowed;

  it('reads keys in the low-level (marshalled) shape as well', () => {
    expect(allow('GetItem', { TableName: TABLE, Key: { pk: { S: 'TENANT#a' }, sk: { S: 'X' } } })).toBe(true);
    expect(allow('GetItem', { TableName: TABLE, Key: { pk: { S: 'TENANT#b' }, sk: { S: 'X' } } })).toBe(
      false,
    );
    expect(allow('PutItem', { TableName: TABLE, Item: { pk: { S: 'APIKEY#1' } } })).toBe(false);
    expect(
      allow('Query', {
        TableName: TABLE,
        KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'TENANT#a' }] } },
      }),
    ).toBe(true);
  });

  it('refuses what the role does not grant, a request without keys, and another table', () => {
    for (const operation of [
      'Scan',
      'BatchWriteItem',
      'TransactGetItems',
      'ExecuteStatement',
      'DescribeTable',
    ]) {
      expect(allow(operation, { TableName: TABLE, Key: { pk: 'TENANT#a', sk: 'X' } }), operation).toBe(false);
    }
    expect(allow('BatchGetItem', { RequestItems: {} })).toBe(false);
    expect(allow('TransactWriteItems', { TransactItems: [] })).toBe(false);
    expect(allow('GetItem', { TableName: 'other-table', Key: { pk: 'TENANT#a', sk: 'X' } })).toBe(false);
    expect(allow('Query', { TableName: TABLE, KeyConditionExpression: 'begins_with(sk, :p)' })).toBe(false);
    expect(
      allow('Query', {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :a AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':a': 'TENANT#a', ':from': '1', ':to': '2' },
      }),
    ).toBe(true);
  });
});
