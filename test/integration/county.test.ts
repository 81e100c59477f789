import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoClientConfig } from '../../shared/store/db.ts';
import { tenantKeys } from '../../shared/store/keys.ts';
import { CALLER_ROLES, type CallerRole, expectRoles, keysOf } from '../support/access.ts';
import { type County, onboardCounty } from '../support/custody.ts';
import { testDynamoEndpoint } from '../support/dynamodb.ts';
import { expectProblem, issueKey } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { TEST_START, useRuntime } from '../support/runtime.ts';

/** County set-up: facilities and the WSO officer roster. The test clock's today is 2026-11-24. */

const runtime = useRuntime();
const api = () => new ApiClient(runtime().url);

let county: County;
let foreign: County;
let keys: Record<CallerRole, string>;
const base = () => `/v1/tenants/${county.tenantId}`;

beforeAll(async () => {
  county = await onboardCounty(runtime(), 'county-a-fl');
  foreign = await onboardCounty(runtime(), 'county-b-fl');
  keys = keysOf(county, runtime().adminKey);
});

const credentialBody = (overrides: Record<string, unknown> = {}) => ({
  backgroundCheckPassedOn: '2026-10-01',
  trainedOn: '2026-11-02',
  credentialNumber: 'WSO-2026-77',
  expiresOn: '2027-11-02',
  ...overrides,
});

async function nominate(officerId: string, facilityIds = [county.facilityId]) {
  const response = await api().post(`${base()}/officers`, {
    key: county.admin,
    body: {
      officerId,
      name: `Officer ${officerId}`,
      badgeNumber: `B-${officerId}`.slice(0, 32),
      facilityIds,
    },
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const readOfficer = (officerId: string) =>
  api().get(`${base()}/officers/${officerId}`, { key: county.admin });

describe('facilities', () => {
  it('creates a facility for the county-admin and lists it for the roles that need it', async () => {
    const created = await api().post(`${base()}/facilities`, {
      key: county.admin,
      body: { facilityId: 'north-annex', name: 'North Annex' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      facilityId: 'north-annex',
      name: 'North Annex',
      createdAt: '2026-11-24T03:00:00Z',
    });

    const listed = await api().get<{ items: { facilityId: string }[] }>(`${base()}/facilities`, {
      key: county.jail,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item) => item.facilityId)).toEqual(['main-jail', 'north-annex']);
  });

  it('answers 409 facility-exists for an id the county already has', async () => {
    const again = await api().post(`${base()}/facilities`, {
      key: county.admin,
      body: { facilityId: county.facilityId, name: 'Another name' },
    });
    expectProblem(again, 409, 'facility-exists');
  });

  it('pages the list with limit and nextToken, and refuses tokens it did not issue', async () => {
    const paged = await onboardCounty(runtime(), 'county-paged-fl');
    for (const id of ['f-2', 'f-3']) {
      const response = await paged.api.post(`/v1/tenants/${paged.tenantId}/facilities`, {
        key: paged.admin,
        body: { facilityId: id, name: id },
      });
      expect(response.status).toBe(201);
    }
    const path = `/v1/tenants/${paged.tenantId}/facilities`;
    type Page = { items: { facilityId: string }[]; nextToken?: string };
    const first = await api().get<Page>(`${path}?limit=2`, { key: paged.admin });
    expect(first.body.items.map((item) => item.facilityId)).toEqual(['f-2', 'f-3']);
    expect(first.body.nextToken).toEqual(expect.any(String));
    const second = await api().get<Page>(`${path}?limit=2&nextToken=${first.body.nextToken}`, {
      key: paged.admin,
    });
    expect(second.body).toEqual({ items: [expect.objectContaining({ facilityId: 'main-jail' })] });

    const exact = await api().get<Page>(`${path}?limit=3`, { key: paged.admin });
    expect(exact.body.items).toHaveLength(3);
    expect(exact.body.nextToken).toBeUndefined();

    // A token of this county used on another county's list, garbage, and limits out of range.
    const elsewhere = await api().get(`${base()}/facilities?nextToken=${first.body.nextToken}`, {
      key: county.admin,
    });
    expectProblem(elsewhere, 400, 'validation-error');
    expectProblem(await api().get(`${path}?nextToken=not-a-token`, { key: paged.admin }), 400);
    expectProblem(await api().get(`${path}?limit=0`, { key: paged.admin }), 400);
    expectProblem(await api().get(`${path}?limit=101`, { key: paged.admin }), 400);
    expectProblem(await api().get(`${path}?sort=name`, { key: paged.admin }), 400);
  });

  it('allows creating to the county-admin only and listing to county-admin, ice-liaison and jail-system', async () => {
    await expectRoles(keys, ['county-admin'], (key, role) =>
      api().post(`${base()}/facilities`, { key, body: { facilityId: `by-${role}`, name: 'Role check' } }),
    );
    await expectRoles(keys, ['county-admin', 'ice-liaison', 'jail-system'], (key) =>
      api().get(`${base()}/facilities`, { key }),
    );
  });

  it('hides the county from another county\u2019s keys (404)', async () => {
    const body = { facilityId: 'intruder', name: 'Intruder' };
    expectProblem(await api().post(`${base()}/facilities`, { key: foreign.admin, body }), 404, 'not-found');
    expectProblem(await api().get(`${base()}/facilities`, { key: foreign.jail }), 404, 'not-found');
    expectProblem(await api().get(`${base()}/facilities`), 401, 'unauthorized');
  });

  it('rejects unknown and malformed fields with 400 and writes nothing', async () => {
    const unknown = await api().post(`${base()}/facilities`, {
      key: county.admin,
      body: { facilityId: 'west-wing', name: 'West Wing', capacity: 400 },
    });
    expectProblem(unknown, 400, 'validation-error');
    expect((unknown.body as { errors: unknown[] }).errors).toEqual([
      { path: 'body.capacity', message: 'is not a known field' },
    ]);
    const badId = await api().post(`${base()}/facilities`, {
      key: county.admin,
      body: { facilityId: 'west wing#1', name: '' },
    });
    expectProblem(badId, 400);
    expect((badId.body as { errors: { path: string }[] }).errors.map((error) => error.path).sort()).toEqual([
      'body.facilityId',
      'body.name',
    ]);
    const listed = await api().get<{ items: { facilityId: string }[] }>(`${base()}/facilities`, {
      key: county.admin,
    });
    expect(listed.body.items.map((item) => item.facilityId)).not.toContain('west-wing');
  });

  it('replays a retried creation with the same Idempotency-Key and refuses the key with another body', async () => {
    const headers = { 'idempotency-key': 'facility-east-1' };
    const body = { facilityId: 'east-block', name: 'East Block' };
    const first = await api().post(`${base()}/facilities`, { key: county.admin, body, headers });
    const second = await api().post(`${base()}/facilities`, { key: county.admin, body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await api().post(`${base()}/facilities`, {
      key: county.admin,
      body: { facilityId: 'east-block-2', name: 'East Block 2' },
      headers,
    });
    expectProblem(other, 422, 'idempotency-key-reused');
    const listed = await api().get<{ items: { facilityId: string }[] }>(`${base()}/facilities`, {
      key: county.admin,
    });
    expect(listed.body.items.map((item) => item.facilityId)).not.toContain('east-block-2');
  });
});

describe('officers: nomination', () => {
  it('nominates an officer (NOMINATED, not yet able to serve) and stores the attribute contract', async () => {
    const officer = await nominate('nom-1');
    expect(officer).toEqual({
      officerId: 'nom-1',
      name: 'Officer nom-1',
      badgeNumber: 'B-nom-1',
      facilityIds: [county.facilityId],
      status: 'NOMINATED',
      credentialActive: false,
      createdAt: '2026-11-24T03:00:00Z',
      updatedAt: '2026-11-24T03:00:00Z',
      version: 1,
    });
    const read = await readOfficer('nom-1');
    expect(read.body).toEqual(officer);

    // The serve-warrant transaction relies on these exact DynamoDB types.
    const raw = await rawOfficerItem('nom-1');
    expect(raw?.status).toEqual({ S: 'NOMINATED' });
    expect(raw?.facilityIds).toEqual({ L: [{ S: county.facilityId }] });
    expect(raw?.version).toEqual({ N: '1' });
    expect(raw?.credentialExpiresOn).toBeUndefined();
  });

  it('answers 422 facility-not-found when a facility is not the county\u2019s, and writes nothing', async () => {
    const foreignFacility = await api().post(`${base()}/officers`, {
      key: county.admin,
      body: {
        officerId: 'nom-2',
        name: 'X',
        badgeNumber: 'B',
        facilityIds: [county.facilityId, 'no-such-jail'],
      },
    });
    expectProblem(foreignFacility, 422, 'facility-not-found');
    expect((foreignFacility.body as { detail: string }).detail).toContain('no-such-jail');
    expectProblem(await readOfficer('nom-2'), 404, 'not-found');
  });

  it('answers 409 officer-exists for an officer already on the roster', async () => {
    await nominate('nom-3');
    const again = await api().post(`${base()}/officers`, {
      key: county.admin,
      body: { officerId: 'nom-3', name: 'Other', badgeNumber: 'B-9', facilityIds: [county.facilityId] },
    });
    expectProblem(again, 409, 'officer-exists');
    expect((await readOfficer('nom-3')).body).toMatchObject({ name: 'Officer nom-3', version: 1 });
  });

  it('validates the roster fields: at least one facility, no repeats, no unknown fields', async () => {
    const post = (body: Record<string, unknown>) =>
      api().post(`${base()}/officers`, { key: county.admin, body });
    const valid = { officerId: 'nom-4', name: 'N', badgeNumber: 'B', facilityIds: [county.facilityId] };
    expectProblem(await post({ ...valid, facilityIds: [] }), 400);
    expectProblem(await post({ ...valid, facilityIds: [county.facilityId, county.facilityId] }), 400);
    const unknown = await post({ ...valid, placeOfBirth: 'somewhere' });
    expectProblem(unknown, 400, 'validation-error');
    expect((unknown.body as { errors: unknown[] }).errors).toContainEqual({
      path: 'body.placeOfBirth',
      message: 'is not a known field',
    });
    expectProblem(await readOfficer('nom-4'), 404);
  });

  it('lets only the county-admin nominate, and hides the county from other counties', async () => {
    await expectRoles(keys, ['county-admin'], (key, role) =>
      api().post(`${base()}/officers`, {
        key,
        body: { officerId: `nom-${role}`, name: 'N', badgeNumber: 'B', facilityIds: [county.facilityId] },
      }),
    );
    const body = { officerId: 'nom-foreign', name: 'N', badgeNumber: 'B', facilityIds: [county.facilityId] };
    expectProblem(await api().post(`${base()}/officers`, { key: foreign.admin, body }), 404);
    expectProblem(await readOfficer('nom-foreign'), 404);
  });

  it('replays a retried nomination with the same Idempotency-Key and refuses the key with another body', async () => {
    const headers = { 'idempotency-key': 'nominate-idem-1' };
    const body = { officerId: 'nom-idem', name: 'N', badgeNumber: 'B', facilityIds: [county.facilityId] };
    const first = await api().post(`${base()}/officers`, { key: county.admin, body, headers });
    const second = await api().post(`${base()}/officers`, { key: county.admin, body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await api().post(`${base()}/officers`, {
      key: county.admin,
      body: { ...body, officerId: 'nom-idem-2' },
      headers,
    });
    expectProblem(other, 422, 'idempotency-key-reused');
    expectProblem(await readOfficer('nom-idem-2'), 404);
  });

  it('lets a wso-officer key be issued for a nominated officer', async () => {
    await nominate('nom-key');
    const issued = await issueKey(api(), county.admin, county.tenantId, 'wso-officer', {
      officerId: 'nom-key',
    });
    expect(issued.apiKey).toMatch(/^wso_/);
  });
});

describe('officers: credential and suspension', () => {
  it('credentials an officer: CREDENTIALED, credentialActive, version bumped, expiry copied top level', async () => {
    await nominate('cred-1');
    const response = await api().post(`${base()}/officers/cred-1/credential`, {
      key: county.liaison,
      body: credentialBody(),
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({
      status: 'CREDENTIALED',
      credentialActive: true,
      credential: { ...credentialBody(), credentialedAt: '2026-11-24T03:00:00Z' },
      version: 2,
    });
    expect(response.body).not.toHaveProperty('credentialExpiresOn');
    expect((await readOfficer('cred-1')).body).toEqual(response.body);
    const raw = await rawOfficerItem('cred-1');
    expect(raw?.credentialExpiresOn).toEqual({ S: '2027-11-02' });
    expect(raw?.status).toEqual({ S: 'CREDENTIALED' });
  });

  it('accepts dates of today and a credential that runs through today', async () => {
    await nominate('cred-today');
    const today = '2026-11-24';
    const response = await api().post(`${base()}/officers/cred-today/credential`, {
      key: county.liaison,
      body: credentialBody({ backgroundCheckPassedOn: today, trainedOn: '2026-11-23', expiresOn: today }),
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ credentialActive: true });
  });

  it.each([
    ['background-check-in-future', { backgroundCheckPassedOn: '2026-11-25' }],
    ['training-in-future', { trainedOn: '2026-11-25', expiresOn: '2027-11-25' }],
    ['credential-expires-before-training', { trainedOn: '2026-11-02', expiresOn: '2026-11-02' }],
    ['credential-expired', { trainedOn: '2025-01-10', expiresOn: '2026-11-23' }],
  ])('answers 422 %s and leaves the officer unchanged', async (slug, overrides) => {
    const officerId = `rule-${slug}`;
    await nominate(officerId);
    const response = await api().post(`${base()}/officers/${officerId}/credential`, {
      key: county.liaison,
      body: credentialBody(overrides),
    });
    expectProblem(response, 422, slug);
    expect((await readOfficer(officerId)).body).toMatchObject({ status: 'NOMINATED', version: 1 });
  });

  it('shows the credential as inactive once the clock passes its expiry', async () => {
    await nominate('cred-expiring');
    await api().post(`${base()}/officers/cred-expiring/credential`, {
      key: county.liaison,
      body: credentialBody({ expiresOn: '2026-11-30' }),
    });
    const clock = runtime().clock;
    try {
      clock.set(new Date('2026-11-30T23:59:59Z'));
      expect((await readOfficer('cred-expiring')).body).toMatchObject({ credentialActive: true });
      clock.set(new Date('2026-12-01T00:00:00Z'));
      expect((await readOfficer('cred-expiring')).body).toMatchObject({
        status: 'CREDENTIALED',
        credentialActive: false,
      });
    } finally {
      clock.set(TEST_START);
    }
  });

  it('suspends an officer, refuses a second suspension, and lets ICE credential them again', async () => {
    await nominate('susp-1');
    await api().post(`${base()}/officers/susp-1/credential`, { key: county.liaison, body: credentialBody() });
    const suspended = await api().post(`${base()}/officers/susp-1/suspend`, {
      key: county.admin,
      body: { reason: 'Left the jail division' },
    });
    expect(suspended.status, suspended.text).toBe(200);
    expect(suspended.body).toMatchObject({
      status: 'SUSPENDED',
      credentialActive: false,
      suspension: { reason: 'Left the jail division', suspendedAt: '2026-11-24T03:00:00Z' },
      version: 3,
    });
    const again = await api().post(`${base()}/officers/susp-1/suspend`, {
      key: county.liaison,
      body: { reason: 'twice' },
    });
    expectProblem(again, 409, 'officer-already-suspended');

    const renewed = await api().post(`${base()}/officers/susp-1/credential`, {
      key: county.liaison,
      body: credentialBody({ credentialNumber: 'WSO-2026-78' }),
    });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.body).toMatchObject({ status: 'CREDENTIALED', credentialActive: true, version: 4 });
    expect(renewed.body).not.toHaveProperty('suspension');
  });

  it('suspends a nominated officer too (the county withdraws the nomination)', async () => {
    await nominate('susp-nominated');
    const response = await api().post(`${base()}/officers/susp-nominated/suspend`, {
      key: county.liaison,
      body: { reason: 'Nomination withdrawn' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'SUSPENDED', credentialActive: false });
  });

  it('answers 404 for an officer the county does not have', async () => {
    const credential = await api().post(`${base()}/officers/nobody/credential`, {
      key: county.liaison,
      body: credentialBody(),
    });
    expectProblem(credential, 404, 'not-found');
    const suspend = await api().post(`${base()}/officers/nobody/suspend`, {
      key: county.admin,
      body: { reason: 'x' },
    });
    expectProblem(suspend, 404, 'not-found');
    expectProblem(await readOfficer('nobody'), 404);
  });

  it('never loses an update: concurrent credentials either apply in turn or get 409', async () => {
    await nominate('race-1');
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        api().post(`${base()}/officers/race-1/credential`, {
          key: county.liaison,
          body: credentialBody({ credentialNumber: `WSO-RACE-${index}` }),
        }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    for (const response of responses.filter((r) => r.status === 409)) {
      expectProblem(response, 409, 'concurrent-modification');
    }
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    const applied = statuses.filter((status) => status === 200).length;
    expect(applied).toBeGreaterThan(0);
    expect((await readOfficer('race-1')).body).toMatchObject({ version: 1 + applied });
  });

  it('rejects unknown fields and malformed dates with 400 and changes nothing', async () => {
    await nominate('strict-1');
    const unknown = await api().post(`${base()}/officers/strict-1/credential`, {
      key: county.liaison,
      body: { ...credentialBody(), citizenshipVerified: true },
    });
    expectProblem(unknown, 400, 'validation-error');
    expect((unknown.body as { errors: unknown[] }).errors).toContainEqual({
      path: 'body.citizenshipVerified',
      message: 'is not a known field',
    });
    expectProblem(
      await api().post(`${base()}/officers/strict-1/credential`, {
        key: county.liaison,
        body: credentialBody({ expiresOn: '2027-02-30' }),
      }),
      400,
    );
    expectProblem(
      await api().post(`${base()}/officers/strict-1/suspend`, {
        key: county.admin,
        body: { reason: 'x', effectiveAt: '2026-11-24T03:00:00Z' },
      }),
      400,
    );
    expectProblem(
      await api().post(`${base()}/officers/strict-1/suspend`, { key: county.admin, body: {} }),
      400,
    );
    expect((await readOfficer('strict-1')).body).toMatchObject({ status: 'NOMINATED', version: 1 });
  });

  it('allows credentialing to the ice-liaison, suspension to county-admin and ice-liaison', async () => {
    await nominate('roles-1');
    await expectRoles(keys, ['ice-liaison'], (key) =>
      api().post(`${base()}/officers/roles-1/credential`, { key, body: credentialBody() }),
    );
    let suspensions = 0;
    await expectRoles(keys, ['county-admin', 'ice-liaison'], async (key) => {
      // Each allowed suspension needs a credentialed officer to suspend.
      suspensions += 1;
      const officerId = `roles-susp-${suspensions}`;
      await nominate(officerId);
      return api().post(`${base()}/officers/${officerId}/suspend`, { key, body: { reason: 'check' } });
    });
  });

  it('hides officers from other counties\u2019 keys (404)', async () => {
    await nominate('hidden-1');
    const path = `${base()}/officers/hidden-1`;
    expectProblem(
      await api().post(`${path}/credential`, { key: foreign.liaison, body: credentialBody() }),
      404,
    );
    expectProblem(await api().post(`${path}/suspend`, { key: foreign.admin, body: { reason: 'x' } }), 404);
    expectProblem(await api().get(path, { key: foreign.admin }), 404);
    expectProblem(await api().get(`${base()}/officers`, { key: foreign.liaison }), 404);
    expect((await readOfficer('hidden-1')).body).toMatchObject({ status: 'NOMINATED', version: 1 });
  });
});

describe('officers: reading the roster', () => {
  it('lists officers in id order with their computed credentialActive', async () => {
    const roster = await onboardCounty(runtime(), 'county-roster-fl');
    const path = `/v1/tenants/${roster.tenantId}/officers`;
    const nominated = await roster.api.post(path, {
      key: roster.admin,
      body: { officerId: 'off-0', name: 'Zero', badgeNumber: 'B-0', facilityIds: [roster.facilityId] },
    });
    expect(nominated.status).toBe(201);
    type Page = { items: { officerId: string; credentialActive: boolean }[]; nextToken?: string };
    const page = await api().get<Page>(path, { key: roster.liaison });
    expect(page.status).toBe(200);
    expect(page.body.items.map((item) => [item.officerId, item.credentialActive])).toEqual([
      ['off-0', false],
      ['off-1', true],
    ]);
    const first = await api().get<Page>(`${path}?limit=1`, { key: roster.admin });
    const rest = await api().get<Page>(`${path}?limit=1&nextToken=${first.body.nextToken}`, {
      key: roster.admin,
    });
    expect([...first.body.items, ...rest.body.items].map((item) => item.officerId)).toEqual([
      'off-0',
      'off-1',
    ]);
    expect(rest.body.nextToken).toBeUndefined();
  });

  it('allows reading to county-admin and ice-liaison only', async () => {
    await expectRoles(keys, ['county-admin', 'ice-liaison'], (key) =>
      api().get(`${base()}/officers`, { key }),
    );
    await expectRoles(keys, ['county-admin', 'ice-liaison'], (key) =>
      api().get(`${base()}/officers/${county.officerId}`, { key }),
    );
  });

  it('covers every tenant role in the access checks', () => {
    expect([...CALLER_ROLES].sort()).toEqual(
      ['county-admin', 'ice-liaison', 'jail-system', 'platform-admin', 'wso-officer'].sort(),
    );
  });
});

async function rawOfficerItem(officerId: string) {
  const client = new DynamoDBClient(dynamoClientConfig({ endpoint: await testDynamoEndpoint() }));
  try {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: runtime().deps.db.tableName,
        Key: {
          pk: { S: tenantKeys.officer(county.tenantId, officerId).pk },
          sk: { S: tenantKeys.officer(county.tenantId, officerId).sk },
        },
      }),
    );
    return Item;
  } finally {
    client.destroy();
  }
}
