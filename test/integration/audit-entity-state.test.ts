import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { verifyOffline } from '../../shared/audit/offline-verify.ts';
import type { VerifyResult } from '../../shared/audit/verify-tenant.ts';
import { keys, tenantKeys, tenantPk } from '../../shared/store/keys.ts';
import { personKeys } from '../../shared/store/people.ts';
import { type County, onboardCounty, serveHold } from '../support/custody.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * Issue 14: `verify` and the offline verifier hold EVERY chained entity's current item against its
 * last event (not only holds and bookings). An insider who edits an officer, a facility, a warrant,
 * the tenant or a key directly in the table is named; untouched data passes.
 */
const runtime = useRuntime();
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const now = () => runtime().clock.now().getTime();
const db = () => runtime().deps.db;
let counties = 0;

/** The id of each county's jail-system key, read from its stored pointer. */
const jailKeyIds = new Map<string, string>();
const keyIdOf = (county: County): string => {
  const keyId = jailKeyIds.get(county.tenantId);
  if (!keyId) throw new Error('no key id');
  return keyId;
};

/** The id of each county's mapped person (who may sign in to its pages). */
const personIds = new Map<string, string>();
const personIdOf = (county: County): string => {
  const personId = personIds.get(county.tenantId);
  if (!personId) throw new Error('no person id');
  return personId;
};

/**
 * A county with a served hold (its warrant SERVED by the hold's chain) and a person mapped to its
 * pages, every event sealed.
 */
async function countyWithHold(): Promise<{ county: County; warrantId: string }> {
  const county = await onboardCounty(runtime(), `state-${++counties}`);
  const hold = await serveHold(county, iso(now() - 50 * HOUR));
  const mapped = await county.api.post<{ personId: string }>(`/v1/tenants/${county.tenantId}/people`, {
    key: county.admin,
    body: { name: 'Liaison', email: `liaison@${county.tenantId}.example`, role: 'ice-liaison' },
  });
  expect(mapped.status, mapped.text).toBe(201);
  personIds.set(county.tenantId, mapped.body.personId);
  await runtime().drainStreams();
  await runtime().advanceTo(new Date(now() + 60_000));
  const jailKey = (await keyPointers(county)).find((item) => item.role === 'jail-system');
  jailKeyIds.set(county.tenantId, String(jailKey?.keyId));
  return { county, warrantId: hold.warrantId };
}

async function keyPointers(county: County): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await db().doc.send(
    new QueryCommand({
      TableName: db().tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(county.tenantId), ':prefix': 'APIKEYREF#' },
    }),
  );
  return Items;
}

const verify = async (county: County): Promise<VerifyResult> => {
  const response = await county.api.get<VerifyResult>(`/v1/tenants/${county.tenantId}/audit/verify`, {
    key: county.admin,
  });
  expect(response.status, response.text).toBe(200);
  return response.body;
};

const offline = async (county: County) => {
  const signer = runtime().deps.audit?.signer;
  if (!signer) throw new Error('no signer');
  return verifyOffline({
    baseUrl: runtime().url,
    apiKey: county.admin,
    tenantId: county.tenantId,
    keys: [await signer.publicKey()],
  });
};

/** One attribute set directly in the table, as an insider would (names aliased: `name` is reserved). */
const edit = (key: Record<string, unknown>, attribute: string, value: unknown) =>
  db().doc.send(
    new UpdateCommand({
      TableName: db().tableName,
      Key: key,
      UpdateExpression: 'SET #a = :v',
      ExpressionAttributeNames: { '#a': attribute },
      ExpressionAttributeValues: { ':v': value },
    }),
  );

describe('each entity\u2019s current state against its last event', () => {
  it('untouched data (a served warrant, credentialed officer, issued keys) passes both verifiers', async () => {
    const { county } = await countyWithHold();
    expect(await verify(county)).toMatchObject({ ok: true, unsealed: 0 });
    const report = await offline(county);
    expect(report).toMatchObject({ ok: true, problems: [] });
    // Holds, bookings, the tenant, the facility, the officer, the warrant, the county's keys and
    // the person mapped to its pages.
    expect(report.entitiesChecked).toBeGreaterThanOrEqual(11);
  });

  const tampers: {
    kind: string;
    id: (county: County, warrantId: string) => string;
    tamper: (county: County, warrantId: string) => Promise<unknown>;
  }[] = [
    {
      kind: 'officer',
      id: (county) => county.officerId,
      tamper: (county) => edit(tenantKeys.officer(county.tenantId, county.officerId), 'badgeNumber', 'B-999'),
    },
    {
      kind: 'facility',
      id: (county) => county.facilityId,
      tamper: (county) => edit(tenantKeys.facility(county.tenantId, county.facilityId), 'name', 'Annex'),
    },
    {
      kind: 'warrant',
      id: (_county, warrantId) => warrantId,
      tamper: (county, warrantId) =>
        edit(tenantKeys.warrant(county.tenantId, warrantId), 'receivedAt = :r', {
          ':r': '2020-01-01T00:00:00Z',
        }),
    },
    {
      kind: 'tenant',
      id: (county) => county.tenantId,
      tamper: (county) => edit(keys.tenantProfile(county.tenantId), 'releaseLeadMinutes', 1),
    },
    {
      kind: 'apikey',
      id: (county) => keyIdOf(county),
      tamper: (county) =>
        edit(keys.apiKeyPointer(tenantPk(county.tenantId), keyIdOf(county)), 'role', 'county-admin'),
    },
    {
      // An insider raising a person's role to county-admin, straight in the table.
      kind: 'signin',
      id: (county) => personIdOf(county),
      tamper: (county) =>
        edit(
          { ...personKeys.pointer({ kind: 'tenant', tenantId: county.tenantId }, personIdOf(county)) },
          'role',
          'county-admin',
        ),
    },
    {
      kind: 'facility (deleted)',
      id: (county) => county.facilityId,
      tamper: (county) =>
        db().doc.send(
          new DeleteCommand({
            TableName: db().tableName,
            Key: tenantKeys.facility(county.tenantId, county.facilityId),
          }),
        ),
    },
  ];

  it.each(tampers)(
    'a $kind edited directly in the table: verify names it, the offline verifier fails',
    async ({ kind, id, tamper }) => {
      const { county, warrantId } = await countyWithHold();
      expect((await verify(county)).ok).toBe(true);
      const entityKind = kind.split(' ')[0] ?? kind;
      const entityId = id(county, warrantId);
      await tamper(county, warrantId);

      const result = await verify(county);
      expect(result.ok).toBe(false);
      expect(result.firstBroken).toMatchObject({
        chain: 'entity',
        entity: { kind: entityKind, id: entityId },
        reason: 'state-mismatch',
      });
      const report = await offline(county);
      expect(report.ok).toBe(false);
      expect(report.problems).toContainEqual(
        expect.objectContaining({ reason: 'state-mismatch', chain: `${entityKind}#${entityId}` }),
      );
    },
  );

  it('the current-state route shows keys as hashes only: never the key hash or a secret', async () => {
    const { county } = await countyWithHold();
    const response = await county.api.get<{ items: { id: string; stateHash: string }[] }>(
      `/v1/tenants/${county.tenantId}/audit/current-state?kind=apikey`,
      { key: county.admin },
    );
    expect(response.status, response.text).toBe(200);
    expect(response.body.items.length).toBeGreaterThanOrEqual(4);
    const pointers = await keyPointers(county);
    expect(pointers.length).toBeGreaterThanOrEqual(4);
    for (const item of pointers) expect(response.text).not.toContain(String(item.hash));
    expect(Object.keys(response.body.items[0] ?? {}).sort()).toEqual(['hash', 'id', 'seq', 'stateHash']);
  });
});
