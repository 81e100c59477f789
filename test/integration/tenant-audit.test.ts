import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_AUDIT_SK, type TenantAuditEvent } from '../../shared/audit/tenant-audit.ts';
import { hashApiKey } from '../../shared/auth/api-keys.ts';
import { tenantPk } from '../../shared/store/keys.ts';
import { type County, onboardCounty, serveHold } from '../support/custody.ts';
import { tenantBody } from '../support/fixtures.ts';
import { ApiClient, type ApiResponse } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * Every change that is not a hold transition lands on the county's own chain (DESIGN.md §5): one
 * event of the right type per change, none for a replayed Idempotency-Key, none for a refused
 * change, and verification names an event edited afterwards.
 */

const runtime = useRuntime();
let counties = 0;
const newCounty = () => onboardCounty(runtime(), `taudit-${++counties}`);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const HOUR = 3_600_000;

async function auditEvents(county: County): Promise<TenantAuditEvent[]> {
  const events: TenantAuditEvent[] = [];
  let token: string | undefined;
  do {
    const query = `?limit=100${token ? `&nextToken=${token}` : ''}`;
    const page = await county.api.get<{ items: TenantAuditEvent[]; nextToken?: string }>(
      `/v1/tenants/${county.tenantId}/audit/events${query}`,
      { key: county.admin },
    );
    expect(page.status, page.text).toBe(200);
    events.push(...page.body.items);
    token = page.body.nextToken;
  } while (token);
  return events;
}

type Send = (idempotencyKey?: string) => Promise<ApiResponse>;

interface Case {
  type: TenantAuditEvent['type'];
  /** Sets up what the change needs; returns the change itself, to send (and send again). */
  prepare: (county: County) => Promise<Send>;
  status: number;
  /** The same change refused (4xx): no event. */
  refused: (county: County) => Promise<ApiResponse>;
  refusedStatus: number;
  check?: (event: TenantAuditEvent, county: County, response: ApiResponse) => void;
}

const withKey = (idempotencyKey: string) => ({ 'idempotency-key': idempotencyKey });
const headers = (idempotencyKey: string | undefined) =>
  idempotencyKey ? { headers: withKey(idempotencyKey) } : {};
const booking = (county: County, lastName = 'Doe') => ({
  facilityId: county.facilityId,
  bookedAt: iso(runtime().clock.now().getTime() - HOUR),
  person: { firstName: 'Robin', lastName, dateOfBirth: '1988-02-03' },
  charges: [{ code: '316.193', description: 'DUI' }],
});
const putBooking = (county: County, number: string, body: unknown, idempotencyKey?: string) =>
  county.api.put(`/v1/tenants/${county.tenantId}/bookings/${number}`, {
    key: county.jail,
    body,
    ...headers(idempotencyKey),
  });
const warrant = (warrantId: string, bookingNumber: string) => ({
  warrantId,
  form: 'I-200',
  issuedAt: iso(runtime().clock.now().getTime() - HOUR),
  issuingOfficer: 'SDDO Smith',
  fieldOffice: 'Miami',
  bookingNumber,
});
const credentialBody = {
  backgroundCheckPassedOn: '2026-01-05',
  trainedOn: '2026-01-10',
  credentialNumber: 'WSO-0002',
  expiresOn: '2028-01-10',
};
const nominate = (county: County, officerId: string) =>
  county.api.post(`/v1/tenants/${county.tenantId}/officers`, {
    key: county.admin,
    body: { officerId, name: 'Sam Ortiz', badgeNumber: 'B-200', facilityIds: [county.facilityId] },
  });

let sequence = 0;
const next = (prefix: string) => `${prefix}-${++sequence}`;

const CASES: Case[] = [
  {
    type: 'tenant.settings_changed',
    prepare: async (county) => (key) =>
      county.api.patch(`/v1/tenants/${county.tenantId}`, {
        key: county.admin,
        body: { releaseLeadMinutes: 90 },
        ...headers(key),
      }),
    status: 200,
    refused: (county) =>
      county.api.patch(`/v1/tenants/${county.tenantId}`, {
        key: county.admin,
        body: { releaseLeadMinutes: -5 },
      }),
    refusedStatus: 400,
    check: (event) => {
      expect(event.before).toMatchObject({ version: 1 });
      expect(event.after).toMatchObject({ releaseLeadMinutes: 90, version: 2 });
    },
  },
  {
    type: 'apikey.issued',
    prepare: async (county) => (key) =>
      county.api.post(`/v1/tenants/${county.tenantId}/api-keys`, {
        key: county.admin,
        body: { name: 'Second jail feed', role: 'jail-system' },
        ...headers(key),
      }),
    status: 201,
    refused: (county) =>
      county.api.post(`/v1/tenants/${county.tenantId}/api-keys`, {
        key: county.admin,
        body: { name: 'Ghost', role: 'wso-officer', officerId: 'nobody' },
      }),
    refusedStatus: 422,
    check: (event, _county, response) => {
      const { keyId, apiKey } = response.body as { keyId: string; apiKey: string };
      expect(event.subject).toEqual({ kind: 'apikey', id: keyId });
      expect(event.before).toBeNull();
      expect(event.after).toMatchObject({ keyId, name: 'Second jail feed', role: 'jail-system' });
      const text = JSON.stringify(event);
      expect(text).not.toContain(apiKey);
      expect(text).not.toContain(hashApiKey(apiKey));
    },
  },
  {
    type: 'apikey.revoked',
    prepare: async (county) => {
      const issued = await county.api.post<{ keyId: string }>(`/v1/tenants/${county.tenantId}/api-keys`, {
        key: county.admin,
        body: { name: 'Short-lived', role: 'ice-liaison' },
      });
      return (key) =>
        county.api.delete(`/v1/tenants/${county.tenantId}/api-keys/${issued.body.keyId}`, {
          key: county.admin,
          ...headers(key),
        });
    },
    status: 204,
    refused: (county) =>
      county.api.delete(`/v1/tenants/${county.tenantId}/api-keys/01JUNKNOWNKEYUNKNOWNKEYUNK`, {
        key: county.admin,
      }),
    refusedStatus: 404,
    check: (event) => {
      expect(event.before).toMatchObject({ role: 'ice-liaison' });
      expect(event.before).not.toHaveProperty('revokedAt');
      expect(event.after).toMatchObject({ role: 'ice-liaison', revokedAt: expect.any(String) });
      // Neither the key's hash nor any secret: only the chain's own hashes are in the event.
      expect(event.before).not.toHaveProperty('hash');
      expect(event.after).not.toHaveProperty('hash');
      expect(JSON.stringify(event)).not.toContain('wso_');
    },
  },
  {
    type: 'facility.created',
    prepare: async (county) => {
      const facilityId = next('annex');
      return (key) =>
        county.api.post(`/v1/tenants/${county.tenantId}/facilities`, {
          key: county.admin,
          body: { facilityId, name: 'Annex' },
          ...headers(key),
        });
    },
    status: 201,
    refused: (county) =>
      county.api.post(`/v1/tenants/${county.tenantId}/facilities`, {
        key: county.admin,
        body: { facilityId: county.facilityId, name: 'Again' },
      }),
    refusedStatus: 409,
    check: (event) => expect(event.after).toMatchObject({ name: 'Annex' }),
  },
  {
    type: 'officer.nominated',
    prepare: async (county) => {
      const officerId = next('off');
      return (key) =>
        county.api.post(`/v1/tenants/${county.tenantId}/officers`, {
          key: county.admin,
          body: { officerId, name: 'Sam Ortiz', badgeNumber: 'B-2', facilityIds: [county.facilityId] },
          ...headers(key),
        });
    },
    status: 201,
    refused: (county) =>
      county.api.post(`/v1/tenants/${county.tenantId}/officers`, {
        key: county.admin,
        body: { officerId: next('off'), name: 'X', badgeNumber: 'B-3', facilityIds: ['no-such-jail'] },
      }),
    refusedStatus: 422,
    check: (event) => {
      expect(event.before).toBeNull();
      expect(event.after).toMatchObject({ status: 'NOMINATED', version: 1 });
    },
  },
  {
    type: 'officer.credentialed',
    prepare: async (county) => {
      const officerId = next('off');
      expect((await nominate(county, officerId)).status).toBe(201);
      return (key) =>
        county.api.post(`/v1/tenants/${county.tenantId}/officers/${officerId}/credential`, {
          key: county.liaison,
          body: credentialBody,
          ...headers(key),
        });
    },
    status: 200,
    refused: (county) =>
      county.api.post(`/v1/tenants/${county.tenantId}/officers/${county.officerId}/credential`, {
        key: county.liaison,
        body: { ...credentialBody, expiresOn: '2026-01-11' },
      }),
    refusedStatus: 422,
    check: (event) => {
      expect(event.before).toMatchObject({ status: 'NOMINATED' });
      expect(event.after).toMatchObject({
        status: 'CREDENTIALED',
        credential: { credentialNumber: 'WSO-0002' },
      });
    },
  },
  {
    type: 'officer.suspended',
    prepare: async (county) => {
      const officerId = next('off');
      expect((await nominate(county, officerId)).status).toBe(201);
      return (key) =>
        county.api.post(`/v1/tenants/${county.tenantId}/officers/${officerId}/suspend`, {
          key: county.admin,
          body: { reason: 'Left the agency' },
          ...headers(key),
        });
    },
    status: 200,
    refused: async (county) => {
      const officerId = next('off');
      await nominate(county, officerId);
      const path = `/v1/tenants/${county.tenantId}/officers/${officerId}/suspend`;
      await county.api.post(path, { key: county.admin, body: { reason: 'first' } });
      return county.api.post(path, { key: county.admin, body: { reason: 'again' } });
    },
    // The refused request is the second suspension; the first (its setup) is counted out below.
    refusedStatus: 409,
    check: (event) =>
      expect(event.after).toMatchObject({ status: 'SUSPENDED', suspension: { reason: 'Left the agency' } }),
  },
  {
    type: 'booking.recorded',
    prepare: async (county) => {
      const number = next('BK');
      return (key) => putBooking(county, number, booking(county), key);
    },
    status: 201,
    refused: (county) => putBooking(county, next('BK'), { ...booking(county), facilityId: 'no-such-jail' }),
    refusedStatus: 422,
    check: (event) => {
      expect(event.before).toBeNull();
      expect(event.after).toMatchObject({ status: 'IN_CUSTODY', version: 1, chargeCount: 1 });
      expect(event.changed).toEqual(['person.dateOfBirth', 'person.firstName', 'person.lastName', 'charges']);
      // Person data and charges stay in the booking: not in the event.
      expect(JSON.stringify(event)).not.toMatch(/Robin|Doe|1988-02-03|DUI|316\.193/);
    },
  },
  {
    type: 'booking.updated',
    prepare: async (county) => {
      const number = next('BK');
      expect((await putBooking(county, number, booking(county))).status).toBe(201);
      return (key) => putBooking(county, number, booking(county, 'Roe'), key);
    },
    status: 200,
    refused: async (county) => {
      const number = next('BK');
      await putBooking(county, number, booking(county));
      return putBooking(county, number, { ...booking(county), facilityId: 'no-such-jail' });
    },
    refusedStatus: 422,
    check: (event) => {
      expect(event.before).toMatchObject({ version: 1 });
      expect(event.after).toMatchObject({ version: 2 });
      expect(event.changed).toEqual(['person.lastName']);
      expect(JSON.stringify(event)).not.toMatch(/Robin|Doe|Roe|1988-02-03/);
    },
  },
  {
    type: 'booking.released',
    prepare: async (county) => {
      const number = next('BK');
      expect((await putBooking(county, number, booking(county))).status).toBe(201);
      const releasedAt = iso(runtime().clock.now().getTime());
      return (key) =>
        county.api.post(`/v1/tenants/${county.tenantId}/bookings/${number}/release`, {
          key: county.jail,
          body: { releasedAt },
          ...headers(key),
        });
    },
    status: 200,
    refused: async (county) => {
      const number = next('BK');
      await putBooking(county, number, booking(county));
      const path = `/v1/tenants/${county.tenantId}/bookings/${number}/release`;
      await county.api.post(path, {
        key: county.jail,
        body: { releasedAt: iso(runtime().clock.now().getTime()) },
      });
      return county.api.post(path, {
        key: county.jail,
        body: { releasedAt: iso(runtime().clock.now().getTime()) },
      });
    },
    refusedStatus: 409,
    check: (event) => {
      expect(event.before).toMatchObject({ status: 'IN_CUSTODY' });
      expect(event.after).toMatchObject({ status: 'RELEASED', releaseReason: 'RELEASED' });
      expect(JSON.stringify(event)).not.toMatch(/Robin|1988-02-03/);
    },
  },
  {
    type: 'warrant.recorded',
    prepare: async (county) => {
      const number = next('BK');
      expect((await putBooking(county, number, booking(county))).status).toBe(201);
      const body = warrant(next('W'), number);
      return (key) =>
        county.api.post(`/v1/tenants/${county.tenantId}/warrants`, {
          key: county.liaison,
          body,
          ...headers(key),
        });
    },
    status: 201,
    refused: (county) =>
      county.api.post(`/v1/tenants/${county.tenantId}/warrants`, {
        key: county.liaison,
        body: warrant(next('W'), 'no-such-booking'),
      }),
    refusedStatus: 422,
    check: (event) => expect(event.after).toMatchObject({ status: 'RECEIVED', form: 'I-200' }),
  },
  {
    type: 'warrant.withdrawn',
    prepare: async (county) => {
      const number = next('BK');
      const warrantId = next('W');
      expect((await putBooking(county, number, booking(county))).status).toBe(201);
      await county.api.post(`/v1/tenants/${county.tenantId}/warrants`, {
        key: county.liaison,
        body: warrant(warrantId, number),
      });
      return (key) =>
        county.api.post(`/v1/tenants/${county.tenantId}/warrants/${warrantId}/withdraw`, {
          key: county.liaison,
          body: { reason: 'Issued in error' },
          ...headers(key),
        });
    },
    status: 200,
    refused: (county) =>
      county.api.post(`/v1/tenants/${county.tenantId}/warrants/no-such-warrant/withdraw`, {
        key: county.liaison,
        body: { reason: 'x' },
      }),
    refusedStatus: 404,
    check: (event) => {
      expect(event.before).toMatchObject({ status: 'RECEIVED' });
      expect(event.after).toMatchObject({ status: 'WITHDRAWN', withdrawReason: 'Issued in error' });
    },
  },
];

/** The events a call added to the county's chain. */
async function added(county: County, call: () => Promise<ApiResponse>) {
  const before = (await auditEvents(county)).length;
  const response = await call();
  const events = (await auditEvents(county)).slice(before);
  return { response, events };
}

describe('the county\u2019s own audit chain', () => {
  let county: County;
  beforeAll(async () => {
    county = await newCounty();
  });

  for (const testCase of CASES) {
    it(`${testCase.type}: one event per change, none on replay, none when refused`, async () => {
      const key = `audit-${testCase.type}`;
      const send = await testCase.prepare(county);
      const first = await added(county, () => send(key));
      expect(first.response.status, first.response.text).toBe(testCase.status);
      const mine = first.events.filter((event) => event.type === testCase.type);
      expect(mine).toHaveLength(1);
      const [event] = mine;
      if (!event) throw new Error('no event');
      expect(event).toMatchObject({
        tenantId: county.tenantId,
        actor: { kind: 'credential', keyId: expect.any(String), role: expect.any(String) },
        requestId: first.response.headers.get('x-request-id'),
      });
      testCase.check?.(event, county, first.response);

      // The same request again, same Idempotency-Key: the first answer, and no second event.
      const replayedAt = (await auditEvents(county)).length;
      const replay = await send(key);
      expect(replay.status, replay.text).toBe(testCase.status);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect((await auditEvents(county)).length).toBe(replayedAt);

      const refused = await added(county, () => testCase.refused(county));
      expect(refused.response.status, refused.response.text).toBe(testCase.refusedStatus);
      expect(
        refused.events.filter((e) => e.requestId === refused.response.headers.get('x-request-id')),
      ).toEqual([]);
    });
  }

  it('verify covers every new event type, and names one edited afterwards', async () => {
    const fresh = await newCounty();
    for (const testCase of CASES) await (await testCase.prepare(fresh))();
    const events = await auditEvents(fresh);
    const types = new Set(events.map((event) => event.type));
    for (const testCase of CASES) expect(types).toContain(testCase.type);
    const verify = () =>
      fresh.api.get<{ ok: boolean; checked: number; firstBroken?: Record<string, unknown> }>(
        `/v1/tenants/${fresh.tenantId}/audit/verify`,
        { key: fresh.admin },
      );
    expect((await verify()).body).toMatchObject({ ok: true, checked: events.length });

    const target = events.find((event) => event.type === 'officer.suspended');
    if (!target) throw new Error('no suspension event');
    const { db } = runtime().deps;
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: { pk: tenantPk(fresh.tenantId), sk: TENANT_AUDIT_SK.event(target.eventId) },
        UpdateExpression: 'SET #actor.keyId = :forged',
        ExpressionAttributeNames: { '#actor': 'actor' },
        ExpressionAttributeValues: { ':forged': 'someone-else' },
      }),
    );
    expect((await verify()).body).toMatchObject({
      ok: false,
      firstBroken: { chain: 'entity', seq: target.seq, eventId: target.eventId, reason: 'hash-mismatch' },
    });
  });
});

describe('tenant creation', () => {
  it('is the first event of the new tenant\u2019s chain; a replay or a taken id adds none', async () => {
    const tenantId = `taudit-new-${++counties}`;
    const api = new ApiClient(runtime().url);
    const create = (key?: string) =>
      api.post('/v1/tenants', {
        key: runtime().adminKey,
        body: tenantBody(tenantId),
        ...(key ? { headers: withKey(key) } : {}),
      });
    const created = await create('create-once');
    expect(created.status, created.text).toBe(201);
    const admin = await api.post<{ apiKey: string }>(`/v1/tenants/${tenantId}/api-keys`, {
      key: runtime().adminKey,
      body: { name: 'admin', role: 'county-admin' },
    });
    const own = { api, tenantId, admin: admin.body.apiKey } as County;
    const events = await auditEvents(own);
    expect(events.map((event) => event.type)).toEqual(['tenant.created', 'apikey.issued']);
    expect(events[0]).toMatchObject({
      seq: 1,
      subject: { kind: 'tenant', id: tenantId },
      actor: { kind: 'credential', role: 'platform-admin' },
      requestId: created.headers.get('x-request-id'),
      before: null,
      after: { tenantId, version: 1 },
    });

    const replay = await create('create-once');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await create()).status).toBe(409);
    expect(await auditEvents(own)).toEqual(events);
  });
});

describe('webhook redelivery', () => {
  let receiver: Server;
  let url: string;
  beforeAll(async () => {
    receiver = createServer((_request, response) => response.writeHead(200).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('webhook.redelivered: one event naming the delivery, not its body; none on replay or refusal', async () => {
    const county = await newCounty();
    const hook = await county.api.post<{ webhookId: string }>(`/v1/tenants/${county.tenantId}/webhooks`, {
      key: county.admin,
      body: { url, events: ['hold.created'] },
    });
    expect(hook.status, hook.text).toBe(201);
    await serveHold(county, iso(runtime().clock.now().getTime()));
    await runtime().advanceTo(runtime().clock.now());
    const path = `/v1/tenants/${county.tenantId}/webhooks/${hook.body.webhookId}/deliveries`;
    const list = await county.api.get<{ items: { deliveryId: string }[] }>(path, { key: county.admin });
    const deliveryId = list.body.items[0]?.deliveryId ?? '';
    const redeliver = (key?: string) =>
      county.api.post(`${path}/${deliveryId}/redeliver`, {
        key: county.admin,
        ...(key ? { headers: withKey(key) } : {}),
      });

    const first = await added(county, () => redeliver('again-1'));
    expect(first.response.status, first.response.text).toBe(202);
    expect(first.events.map((event) => event.type)).toEqual(['webhook.redelivered']);
    expect(first.events[0]).toMatchObject({
      subject: { kind: 'webhook-delivery', id: deliveryId },
      before: { round: 1 },
      after: { round: 2, status: 'PENDING' },
    });
    expect(JSON.stringify(first.events[0])).not.toContain('payload');
    expect((await added(county, () => redeliver('again-1'))).events).toEqual([]);
    const refused = await added(county, () =>
      county.api.post(`${path}/01HZZZZZZZZZZZZZZZZZZZZZZZ/redeliver`, { key: county.admin }),
    );
    expect(refused.response.status).toBe(404);
    expect(refused.events).toEqual([]);
  });
});
