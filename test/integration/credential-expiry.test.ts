import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { randomSecret } from '../../shared/ids.ts';
import { dynamoClientConfig } from '../../shared/store/db.ts';
import { verifySignature } from '../../shared/webhooks/signature.ts';
import { bookWithWarrant, type County, onboardCounty } from '../support/custody.ts';
import { testDynamoEndpoint } from '../support/dynamodb.ts';
import { expectProblem } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';

/**
 * Issue 17 item 4 through the API on the virtual clock: `officer.credential_expiring` 30, 7 and 1
 * days before a credential's last valid day, each delivered once to the officer's own county's
 * subscribers, across restarts of the local runtime on kept data (the table, the data directory with
 * the webhook secrets key and the last daily run); the expired officer refused; a renewed credential
 * notified again for its new date.
 */

interface Notice {
  id: string;
  type: string;
  occurredAt: string;
  tenantId: string;
  data: { officer: { officerId: string; credentialNumber: string; expiresOn: string }; daysLeft: number };
}

/** A real receiver on 127.0.0.1 that answers 200 and keeps every request. */
class Receiver {
  readonly requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  url = '';
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200).end('ok');
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/wso`;
    return this;
  }

  notices(): Notice[] {
    return this.requests.map((request) => JSON.parse(request.body) as Notice);
  }

  /** (expiresOn, daysLeft) of every notice received, in order. */
  received(): string[] {
    return this.notices().map((n) => `${n.data.officer.expiresOn}:${n.data.daysLeft}`);
  }

  /** The same, sorted (notices of one daily run are sent concurrently). */
  receivedSorted(): string[] {
    return this.received().sort();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'wso-credential-expiry-'));
const tableName = `test-${randomSecret(6).replace(/[^a-zA-Z0-9]/g, 'x')}`;
const adminKey = `test_admin_${randomSecret(18)}`;
let rt: LocalRuntime | undefined;

/** The local runtime on the same table and data directory, its clock resuming at `at`. */
async function start(at: string): Promise<LocalRuntime> {
  rt = await startLocalRuntime({
    dynamoEndpoint: await testDynamoEndpoint(),
    tableName,
    adminKey,
    dataDir,
    clock: new VirtualClock({ start: new Date(at) }),
    webhooks: { timeoutMs: 500 },
  });
  // The start itself runs a daily run time crossed while stopped: wait for its deliveries only.
  await rt.deliveries.settled();
  return rt;
}

async function restart(at: string): Promise<LocalRuntime> {
  await rt?.stop();
  rt = undefined;
  return start(at);
}

const advanceTo = async (at: string) => {
  if (!rt) throw new Error('runtime not started');
  await rt.advanceTo(new Date(at));
};

/** The county's calls go to the runtime now running (its port changes at every restart). */
const on = (county: County): County => ({ ...county, api: new ApiClient(rt?.url ?? '') });

async function addOfficer(county: County, officerId: string, credentialNumber: string, expiresOn: string) {
  const created = await county.api.post(`/v1/tenants/${county.tenantId}/officers`, {
    key: county.admin,
    body: { officerId, name: 'Sam Ortiz', badgeNumber: `B-${officerId}`, facilityIds: [county.facilityId] },
  });
  expect(created.status, created.text).toBe(201);
  await credential(county, officerId, credentialNumber, expiresOn);
}

async function credential(county: County, officerId: string, credentialNumber: string, expiresOn: string) {
  const response = await county.api.post(`/v1/tenants/${county.tenantId}/officers/${officerId}/credential`, {
    key: county.liaison,
    body: { backgroundCheckPassedOn: '2026-01-05', trainedOn: '2026-01-10', credentialNumber, expiresOn },
  });
  expect(response.status, response.text).toBe(200);
}

async function subscribe(county: County, receiver: Receiver): Promise<string> {
  const response = await county.api.post<{ secret: string }>(`/v1/tenants/${county.tenantId}/webhooks`, {
    key: county.admin,
    body: { url: receiver.url, events: ['officer.credential_expiring'] },
  });
  expect(response.status, response.text).toBe(201);
  return response.body.secret;
}

const receivers = { a: new Receiver(), b: new Receiver(), quiet: new Receiver() };
let a: County;
let b: County;
let quiet: County;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  for (const receiver of Object.values(receivers)) await receiver.start();
  // Day 0: Tuesday 2026-11-24, 03:00 UTC; the daily jobs run at 09:00 UTC.
  const runtime = await start('2026-11-24T03:00:00Z');
  a = await onboardCounty(runtime, 'expiry-a');
  b = await onboardCounty(runtime, 'expiry-b');
  quiet = await onboardCounty(runtime, 'expiry-quiet');
  // Both counties have an officer whose credential's last valid day is 2026-12-31, under the same
  // county-chosen officer id: one county's notice must never count as the other's.
  await addOfficer(a, 'exp-1', 'WSO-A-1', '2026-12-31');
  await addOfficer(b, 'exp-1', 'WSO-B-1', '2026-12-31');
  // County B's second officer meets every notice on a day the runtime runs: 30, 7 and 1 days left.
  await addOfficer(b, 'exp-2', 'WSO-B-2', '2027-01-02');
  // A suspended officer may not serve, so gets no expiry notice (21 days left at the first run).
  await addOfficer(a, 'suspended', 'WSO-A-9', '2026-12-15');
  const suspended = await a.api.post(`/v1/tenants/${a.tenantId}/officers/suspended/suspend`, {
    key: a.admin,
    body: { reason: 'Under review' },
  });
  expect(suspended.status, suspended.text).toBe(200);
  secrets.a = await subscribe(a, receivers.a);
  secrets.b = await subscribe(b, receivers.b);
  secrets.quiet = await subscribe(quiet, receivers.quiet);
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  for (const receiver of Object.values(receivers)) await receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
  // The run's shared DynamoDB Local keeps every table: drop ours (as test/support/runtime.ts does).
  const client = new DynamoDBClient(dynamoClientConfig({ endpoint: await testDynamoEndpoint() }));
  await client.send(new DeleteTableCommand({ TableName: tableName })).finally(() => client.destroy());
});

describe('officer.credential_expiring (issue 17 item 4)', () => {
  it('sends nothing while the credential is more than 30 days from its last valid day', async () => {
    await advanceTo('2026-11-30T12:00:00Z');
    expect(receivers.a.received()).toEqual([]);
    expect(receivers.b.received()).toEqual([]);
  });

  it('sends the 30-day notice at the daily run 30 days before, once, to the officer\u2019s own county only', async () => {
    await advanceTo('2026-12-01T09:00:00Z');
    expect(receivers.a.received()).toEqual(['2026-12-31:30']);
    expect(receivers.b.received()).toEqual(['2026-12-31:30']);
    expect(receivers.a.notices()[0]).toMatchObject({
      type: 'officer.credential_expiring',
      tenantId: 'expiry-a',
      occurredAt: '2026-12-01T09:00:00Z',
      data: {
        officer: { officerId: 'exp-1', credentialNumber: 'WSO-A-1', expiresOn: '2026-12-31' },
        daysLeft: 30,
      },
    });
    expect(receivers.b.notices()[0]).toMatchObject({
      tenantId: 'expiry-b',
      data: { officer: { officerId: 'exp-1', credentialNumber: 'WSO-B-1' } },
    });
    // Later daily runs find the notice sent.
    await advanceTo('2026-12-03T12:00:00Z');
    expect(receivers.a.received()).toEqual(['2026-12-31:30']);
  });

  it('after a restart that skipped the 7-day run, sends the 7-day notice once at start, not the ones before it', async () => {
    // Stopped from 2026-12-03 to 2026-12-26 10:00: the run of 12-24 (7 days left) and two more were missed.
    await restart('2026-12-26T10:00:00Z');
    expect(receivers.a.received()).toEqual(['2026-12-31:30', '2026-12-31:5']);
    expect(receivers.b.receivedSorted()).toEqual([
      '2026-12-31:30',
      '2026-12-31:5',
      '2027-01-02:30',
      // Its 7-day run time was crossed just before the restart (09:00): the notice is on time.
      '2027-01-02:7',
    ]);
    // A restart the same day (no run time crossed while stopped) sends nothing again.
    await restart('2026-12-26T12:00:00Z');
    await advanceTo('2026-12-26T23:00:00Z');
    expect(receivers.a.received()).toEqual(['2026-12-31:30', '2026-12-31:5']);
  });

  it('sends the 1-day notice the day before the last valid day, once', async () => {
    await advanceTo('2026-12-30T09:00:00Z');
    await advanceTo('2026-12-31T12:00:00Z');
    expect(receivers.a.received()).toEqual(['2026-12-31:30', '2026-12-31:5', '2026-12-31:1']);
    expect(receivers.b.receivedSorted()).toEqual([
      '2026-12-31:1',
      '2026-12-31:30',
      '2026-12-31:5',
      '2027-01-02:30',
      '2027-01-02:7',
    ]);
  });

  it('refuses service by the officer once the credential expired, until ICE credentials them again', async () => {
    await advanceTo('2027-01-01T09:30:00Z');
    const county = on(a);
    const servedAt = '2027-01-01T09:30:00Z';
    const { bookingNumber, warrantId } = await bookWithWarrant(county, servedAt);
    const serve = () =>
      county.api.post(`/v1/tenants/${county.tenantId}/holds`, {
        key: county.jail,
        body: { warrantId, bookingNumber, officerId: 'exp-1', servedAt },
      });
    expectProblem(await serve(), 422, 'officer-credential-expired');
    await credential(county, 'exp-1', 'WSO-A-2', '2027-01-20');
    const served = await serve();
    expect(served.status, served.text).toBe(201);
  });

  it('notifies a renewed credential again, for its new date (18 days left: the 30-day notice)', async () => {
    await advanceTo('2027-01-02T09:00:00Z');
    expect(receivers.a.received()).toEqual([
      '2026-12-31:30',
      '2026-12-31:5',
      '2026-12-31:1',
      '2027-01-20:18',
    ]);
    expect(receivers.a.notices()[3]?.data.officer).toEqual({
      officerId: 'exp-1',
      credentialNumber: 'WSO-A-2',
      expiresOn: '2027-01-20',
    });
    // County B's first officer was not renewed: nothing more for it; its second got its 1-day notice.
    expect(receivers.b.receivedSorted()).toEqual([
      '2026-12-31:1',
      '2026-12-31:30',
      '2026-12-31:5',
      '2027-01-02:1',
      '2027-01-02:30',
      '2027-01-02:7',
    ]);
  });

  it('delivered every notice exactly once, signed with the county\u2019s own secret, to no other county', () => {
    for (const [name, receiver] of [
      ['a', receivers.a],
      ['b', receivers.b],
    ] as const) {
      const ids = receiver.notices().map((notice) => notice.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const request of receiver.requests) {
        const check = verifySignature(
          String(request.headers['wso-signature']),
          request.body,
          secrets[name] ?? '',
          {
            nowSeconds: Math.floor(Date.parse((JSON.parse(request.body) as Notice).occurredAt) / 1000),
            toleranceSeconds: 3600,
          },
        );
        expect(check, name).toMatchObject({ ok: true });
        expect(request.headers['wso-event-id']).toBe((JSON.parse(request.body) as Notice).id);
      }
    }
    expect(receivers.quiet.requests).toEqual([]);
  });
});
