import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../shared/auth/api-keys.ts';
import { backfillUsagePlanKeys } from '../../shared/auth/usage-plan-backfill.ts';
import { keys, tenantPk } from '../../shared/store/keys.ts';
import { type County, onboardCounty } from '../support/custody.ts';
import { createTenant, issueKey } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * `npm run admin-key -- --backfill` (issue 17 item 5): keys issued before usage-plan keys existed
 * are registered from their stored hashes, once, on DynamoDB Local with the in-memory usage plan.
 */

const runtime = useRuntime();
const api = () => new ApiClient(runtime().url);
const plan = () => runtime().usagePlanKeys;

interface Issued {
  keyId: string;
  apiKey: string;
  owner: string;
}

let county: County;
/** Keys made to look issued before issue 7: no usage-plan key, no `apiGatewayKeyId`. */
let legacy: Issued[];
let revokedLegacy: Issued;

const pointerKey = (key: Issued) => keys.apiKeyPointer(key.owner, key.keyId);
const hashKey = (key: Issued) => keys.apiKeyByHash(hashApiKey(key.apiKey));

async function item(key: { pk: string; sk: string }) {
  const { db } = runtime().deps;
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }),
  );
  return Item;
}

/** Takes a key back to how keys were before usage-plan keys: out of the plan, no id on its items. */
async function makeLegacy(key: Issued): Promise<void> {
  const { db } = runtime().deps;
  const registered = plan().byKeyId(key.keyId);
  if (registered) await plan().remove(registered.apiGatewayKeyId);
  for (const itemKey of [pointerKey(key), hashKey(key)]) {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: itemKey,
        UpdateExpression: 'REMOVE apiGatewayKeyId',
      }),
    );
  }
}

const backfill = (dryRun: boolean) =>
  backfillUsagePlanKeys({ db: runtime().deps.db, usagePlanKeys: plan() }, { dryRun });

const keyIds = (lines: readonly { keyId: string }[]) => lines.map((line) => line.keyId).sort();

beforeAll(async () => {
  county = await onboardCounty(runtime(), 'backfill-a-fl');
  await createTenant(api(), runtime().adminKey, 'backfill-b-ga', 'GA');
  const owner = tenantPk(county.tenantId);
  const jail = { ...(await issueKey(api(), county.admin, county.tenantId, 'jail-system')), owner };
  const liaison = { ...(await issueKey(api(), county.admin, county.tenantId, 'ice-liaison')), owner };
  const revoked = { ...(await issueKey(api(), county.admin, county.tenantId, 'jail-system')), owner };
  const gaAdmin = {
    ...(await issueKey(api(), runtime().adminKey, 'backfill-b-ga', 'county-admin')),
    owner: tenantPk('backfill-b-ga'),
  };
  const state = await api().post<{ keyId: string; apiKey: string }>('/v1/states/FL/api-keys', {
    key: runtime().adminKey,
    body: { name: 'FL auditor' },
  });
  expect(state.status, state.text).toBe(201);
  const stateKey = { ...state.body, owner: keys.statePk('FL') };
  legacy = [jail, liaison, gaAdmin, stateKey];
  revokedLegacy = revoked;
  for (const key of [...legacy, revokedLegacy]) await makeLegacy(key);
  const revoke = await api().delete(`/v1/tenants/${county.tenantId}/api-keys/${revoked.keyId}`, {
    key: county.admin,
  });
  expect(revoke.status, revoke.text).toBe(204);
});

describe('usage-plan backfill', () => {
  it('lists, on a dry run, exactly the live keys without a usage-plan key, and changes nothing', async () => {
    const sizeBefore = plan().size;
    const report = await backfill(true);
    expect(keyIds(report.lines)).toEqual(keyIds(legacy));
    expect(report.lines.every((line) => line.outcome === 'would-register')).toBe(true);
    // Every owner partition was read: the platform, every state, both tenants.
    expect(report.owners).toBeGreaterThanOrEqual(1 + 50 + 2);
    expect(plan().size).toBe(sizeBefore);
    expect((await item(pointerKey(legacy[0] as Issued)))?.apiGatewayKeyId).toBeUndefined();
  });

  it('registers each from its stored hash (no secret), records the id on both items, and skips revoked keys', async () => {
    const sizeBefore = plan().size;
    const report = await backfill(false);
    expect(keyIds(report.lines)).toEqual(keyIds(legacy));
    expect(report.lines.map((line) => line.outcome)).toEqual(legacy.map(() => 'registered'));
    expect(plan().size).toBe(sizeBefore + legacy.length);
    for (const key of legacy) {
      // What API Gateway matches: the authorizer's usageIdentifierKey, the hash of the key presented.
      const registered = plan().byValue(hashApiKey(key.apiKey));
      expect(registered?.keyId).toBe(key.keyId);
      expect((await item(pointerKey(key)))?.apiGatewayKeyId).toBe(registered?.apiGatewayKeyId);
      expect((await item(hashKey(key)))?.apiGatewayKeyId).toBe(registered?.apiGatewayKeyId);
    }
    expect(plan().byKeyId(revokedLegacy.keyId)).toBeUndefined();
    // The keys still work, and the county's audit trail still verifies (the id is not audited state).
    const read = await api().get(`/v1/tenants/${county.tenantId}/audit/verify`, { key: county.admin });
    expect(read.status, read.text).toBe(200);
    expect(read.body.ok).toBe(true);
  });

  it('registers nothing the second time', async () => {
    const sizeBefore = plan().size;
    const report = await backfill(false);
    expect(report.lines).toEqual([]);
    expect(plan().size).toBe(sizeBefore);
  });

  it('adopts a usage-plan key an interrupted run made but never recorded', async () => {
    const key = legacy[1] as Issued;
    await makeLegacy(key);
    // The interrupted run: API Gateway got the key, the table never heard of it.
    const made = await plan().register(key.keyId, hashApiKey(key.apiKey));
    const sizeBefore = plan().size;
    const report = await backfill(false);
    expect(report.lines.map((line) => [line.keyId, line.outcome])).toEqual([[key.keyId, 'adopted']]);
    expect(plan().size).toBe(sizeBefore);
    expect((await item(pointerKey(key)))?.apiGatewayKeyId).toBe(made);
    expect((await backfill(false)).lines).toEqual([]);
  });

  it('reports a key API Gateway refuses, and goes on with the others', async () => {
    const [first, second] = legacy as [Issued, Issued];
    await makeLegacy(first);
    await makeLegacy(second);
    plan().failNext = {
      register: Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }),
    };
    const report = await backfill(false);
    expect(report.lines.map((line) => line.outcome).sort()).toEqual(['failed', 'registered']);
    expect(report.lines.find((line) => line.outcome === 'failed')?.detail).toContain(
      'TooManyRequestsException',
    );
    // The next run picks up what failed.
    const retry = await backfill(false);
    expect(retry.lines.map((line) => line.outcome)).toEqual(['registered']);
    expect((await backfill(false)).lines).toEqual([]);
  });
});
