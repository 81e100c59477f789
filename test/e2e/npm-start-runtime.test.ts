/**
 * Issue 15 through the real `npm start`: restarts on kept data (SIGINT and SIGKILL), a receiver that
 * never answers in one county while another county's deadline passes on the ticking clock,
 * deliveries on the virtual clock, hostile clock requests, bodies and URLs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb-local.ts';
import type { Hold } from '../../shared/domain/hold.ts';
import type { Delivery } from '../../shared/webhooks/schemas.ts';
import { type County, onboardCounty, readHold, serveHold } from '../support/custody.ts';
import { testDynamoEndpoint } from '../support/dynamodb.ts';
import { expectProblem, tenantBody } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { eventually, exited, javaChildren, type Started, start } from './support/npm-start.ts';

const HOUR = 3_600_000;
const dirs: string[] = [];
const receivers: Receiver[] = [];
afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

interface Received {
  headers: IncomingHttpHeaders;
  type: string;
  /** The attempt's virtual time (the signature's timestamp), in ms. */
  signedAt: number;
  answered: number | 'hang';
}

/** A webhook receiver on 127.0.0.1 that answers what `answer` says, or never. */
class Receiver {
  readonly requests: Received[] = [];
  answer: () => number | 'hang';
  url = '';
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(answer: () => number | 'hang') {
    this.answer = answer;
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answered = this.answer();
        this.requests.push({
          headers: request.headers,
          type: String(JSON.parse(Buffer.concat(chunks).toString('utf8')).type),
          signedAt: Number(/t=(\d+)/.exec(String(request.headers['wso-signature']))?.[1]) * 1000,
          answered,
        });
        if (answered === 'hang') this.hanging.add(response);
        else response.writeHead(answered).end();
      });
    });
  }

  static async start(answer: () => number | 'hang'): Promise<Receiver> {
    const receiver = new Receiver(answer);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks`;
    receivers.push(receiver);
    return receiver;
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const clockOf = async (api: ApiClient): Promise<number> =>
  Date.parse((await api.get<{ now: string }>('/_local/clock')).body.now);

async function moveClock(api: ApiClient, advanceBy: string): Promise<number> {
  const moved = await api.post<{ now: string }>('/_local/clock', { body: { advanceBy } });
  expect(moved.status, moved.text).toBe(200);
  return Date.parse(moved.body.now);
}

async function subscribe(county: County, url: string, events: string[]): Promise<string> {
  const created = await county.api.post<{ webhookId: string }>(`/v1/tenants/${county.tenantId}/webhooks`, {
    key: county.admin,
    body: { url, events },
  });
  expect(created.status, created.text).toBe(201);
  return created.body.webhookId;
}

async function deliveryLog(county: County, webhookId: string): Promise<Delivery[]> {
  const log = await county.api.get<{ items: Delivery[] }>(
    `/v1/tenants/${county.tenantId}/webhooks/${webhookId}/deliveries`,
    { key: county.admin },
  );
  expect(log.status, log.text).toBe(200);
  return log.body.items;
}

/** Runs a failed test left behind: stopped after the file, whatever happened. */
const running = new Set<Started>();
afterAll(async () => {
  for (const run of running)
    if (run.child.exitCode === null && run.child.signalCode === null) await stop(run, 'SIGKILL');
});

async function stop(run: Started, signal: NodeJS.Signals): Promise<void> {
  running.delete(run);
  const java = javaChildren(run.child.pid ?? 0);
  run.child.kill(signal);
  await exited(run.child);
  // SIGKILL gives npm start no chance to stop its DynamoDB Local: the test ends the orphan (by pid).
  for (const pid of java.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe.each(['SIGINT', 'SIGKILL'] as const)('npm start restarted with %s on kept data', (signal) => {
  it('keeps the virtual clock (never backwards) and retries the delivery that was waiting', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wso-restart-'));
    dirs.push(dataDir);
    const env = { WSO_DATA_DIR: dataDir, PORT: String(await freePort()) };
    const receiver = await Receiver.start(() => 500);

    const first = await start(env);
    running.add(first);
    const api = new ApiClient(first.url);
    const county = await onboardCounty(
      { url: first.url, adminKey: first.key },
      `restart-${signal.toLowerCase()}`,
    );
    const webhookId = await subscribe(county, receiver.url, ['hold.release_due']);
    // Served at a virtual time ahead of real time: a clock that fell back to real time would
    // put this hold's service in its future.
    const servedAt = await moveClock(api, 'PT2H');
    const hold = await serveHold(county, iso(servedAt));
    expect(await moveClock(api, 'PT47H')).toBeGreaterThanOrEqual(Date.parse(hold.releaseDueAt ?? ''));
    await eventually(
      async () =>
        receiver.requests.some((request) => request.type === 'hold.release_due') ? true : undefined,
      15_000,
      'the first hold.release_due attempt',
    );
    const [waiting] = await eventually(
      async () => {
        const log = await deliveryLog(county, webhookId);
        return log[0]?.status === 'RETRYING' ? log : undefined;
      },
      10_000,
      'the failed attempt recorded',
    );
    const clockBefore = await clockOf(api);
    await stop(first, signal);

    receiver.answer = () => 200;
    const second = await start(env);
    running.add(second);
    try {
      expect(second.key).toBe(first.key);
      const again = new ApiClient(second.url);
      const resumed = await clockOf(again);
      expect(resumed).toBeGreaterThanOrEqual(clockBefore);
      // A transfer at the clock's now is after the service (it was refused when the clock fell back).
      const transferred = await again.post<Hold>(
        `/v1/tenants/${county.tenantId}/holds/${hold.holdId}/transfer`,
        {
          key: county.liaison,
          body: { transferredAt: iso(resumed), receivingOfficer: 'ERO Officer Lee' },
        },
      );
      expect(transferred.status, transferred.text).toBe(200);
      expect(transferred.body).toMatchObject({ status: 'TRANSFERRED', late: false });

      // The waiting retry is due within minutes of virtual time; it is sent after the restart.
      await moveClock(again, 'PT30M');
      const delivered = await eventually(
        async () => {
          const [entry] = await deliveryLog({ ...county, api: again }, webhookId);
          return entry?.status === 'SUCCEEDED' ? entry : undefined;
        },
        15_000,
        'the waiting delivery succeeded after the restart',
      );
      expect(delivered.deliveryId).toBe(waiting?.deliveryId);
      expect(receiver.requests.filter((request) => request.answered === 200)).toHaveLength(1);
    } finally {
      await stop(second, 'SIGINT');
    }
  }, 120_000);
});

describe('npm start on an existing DynamoDB (WSO_DYNAMODB_ENDPOINT)', () => {
  let run: Started;
  let api: ApiClient;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wso-endpoint-'));
    dirs.push(dataDir);
    run = await start({
      WSO_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      WSO_DYNAMODB_ENDPOINT: await testDynamoEndpoint(),
    });
    api = new ApiClient(run.url);
  }, 60_000);
  afterAll(async () => {
    if (run) await stop(run, 'SIGINT');
  });

  it('starts no DynamoDB Local of its own', async () => {
    expect(javaChildren(run.child.pid ?? 0)).toBe('');
    expect(run.output()).toContain(`DynamoDB at ${await testDynamoEndpoint()}`);
  });

  it("one county's receiver that never answers holds back no other county's deadline", async () => {
    const hanging = await Receiver.start(() => 'hang');
    const slow = await onboardCounty({ url: run.url, adminKey: run.key }, 'hang-slow');
    const other = await onboardCounty({ url: run.url, adminKey: run.key }, 'hang-other');
    await subscribe(slow, hanging.url, ['hold.created']);
    // Eight deliveries that each hang for the full 10 s request timeout, two at a time.
    for (let index = 0; index < 8; index++) await serveHold(slow, iso(await clockOf(api)));
    await eventually(
      async () => (hanging.requests.length > 0 ? true : undefined),
      10_000,
      'the receiver hangs',
    );
    // The other county's deadline passes on the ticking clock a few seconds from now.
    const hold = await serveHold(other, iso((await clockOf(api)) - 48 * HOUR + 4_000));
    const deadline = Date.parse(hold.deadline ?? '');

    const started = Date.now();
    const clockAnswer = await api.get('/_local/clock');
    expect(clockAnswer.status).toBe(200);
    const overdue = await eventually(
      async () => {
        const read = await readHold(other, hold.holdId);
        return read.status === 'OVERDUE' ? read : undefined;
      },
      12_000,
      'the other county’s hold marked OVERDUE',
    );
    // Marked within a few seconds of its deadline, while the receiver still hangs.
    const marked = Date.parse((overdue as Hold & { overdueMarkedAt: string }).overdueMarkedAt);
    expect(marked - deadline).toBeLessThan(3_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(hanging.requests.every((request) => request.answered === 'hang')).toBe(true);
    // The clock still answers at once.
    const moving = Date.now();
    await moveClock(api, 'PT1S');
    expect(Date.now() - moving).toBeLessThan(2_000);
    await hanging.close();
  }, 60_000);

  it('deliveries follow the virtual clock: retries inside a jump are made at their own times', async () => {
    let calls = 0;
    const flaky = await Receiver.start(() => (++calls <= 2 ? 500 : 200));
    const county = await onboardCounty({ url: run.url, adminKey: run.key }, 'jump-retries');
    const webhookId = await subscribe(county, flaky.url, ['hold.release_due']);
    const hold = await serveHold(county, iso(await clockOf(api)));
    await moveClock(api, 'PT48H');
    const [delivery] = await eventually(
      async () => {
        const log = await deliveryLog(county, webhookId);
        return log[0]?.status === 'SUCCEEDED' ? log : undefined;
      },
      20_000,
      'the release_due delivery succeeded',
    );
    const releaseDue = Date.parse(hold.releaseDueAt ?? '');
    const times = flaky.requests.map((request) => request.signedAt);
    expect(times).toHaveLength(3);
    expect(delivery?.attempts).toBe(3);
    // Attempt one at the step, then each retry after its backoff (10 s, then up to 20 s), all an
    // hour before the deadline the jump ended at; not all at the jump's end.
    expect(Math.abs((times[0] ?? 0) - releaseDue)).toBeLessThanOrEqual(1_000);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1_000);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeLessThanOrEqual(11_000);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeLessThanOrEqual(21_000);
    expect(times[2] ?? 0).toBeLessThan(Date.parse(hold.deadline ?? ''));
    await flaky.close();
  }, 60_000);

  it('refuses a clock request beyond what a date holds, and nothing changes', async () => {
    const before = await clockOf(api);
    for (const body of [{ advanceBy: 'P100000000D' }, { advanceBy: 'P1000000D' }]) {
      const refused = await api.post('/_local/clock', { body });
      expectProblem(refused, 400, 'validation-error');
      expect(refused.headers.get('x-request-id')).toBeTruthy();
    }
    const after = await clockOf(api);
    expect(after).toBeGreaterThanOrEqual(before);
    expect(after - before).toBeLessThan(60_000);
    // Writes still work.
    const created = await api.post('/v1/tenants', { key: run.key, body: tenantBody('after-clock-400') });
    expect(created.status, created.text).toBe(201);
  });

  it('accepts current IANA names and their aliases, refuses offsets and unknown names', async () => {
    for (const [index, timeZone] of [
      'America/Indiana/Indianapolis',
      'America/Kentucky/Louisville',
      'Asia/Kathmandu',
      'America/Indianapolis',
      'UTC',
    ].entries()) {
      const created = await api.post('/v1/tenants', {
        key: run.key,
        body: tenantBody(`zone-${index}`, 'IN', { timeZone }),
      });
      expect(created.status, `${timeZone}: ${created.text}`).toBe(201);
    }
    for (const timeZone of ['+05:00', 'Mars/Olympus_Mons', 'America/New York', '']) {
      const refused = await api.post('/v1/tenants', {
        key: run.key,
        body: tenantBody('zone-bad', 'IN', { timeZone }),
      });
      expectProblem(refused, 400, 'validation-error');
    }
  });

  it('refuses a body that is not UTF-8 (JSON and XML) with a 400, storing nothing', async () => {
    const county = await onboardCounty({ url: run.url, adminKey: run.key }, 'bad-utf8');
    const json = Buffer.concat([
      Buffer.from('{"facilityId":"east","name":"East '),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const xml = Buffer.concat([
      Buffer.from('<?xml version="1.0"?><Booking>'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('</Booking>'),
    ]);
    const sent = [
      { path: `/v1/tenants/${county.tenantId}/facilities`, body: json, type: 'application/json' },
      { path: `/v1/tenants/${county.tenantId}/bookings:niem`, body: xml, type: 'application/xml' },
    ];
    for (const { path, body, type } of sent) {
      const response = await fetch(run.url + path, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${path.endsWith('facilities') ? county.admin : county.jail}`,
          'content-type': type,
        },
        body,
      });
      const problem = { status: response.status, headers: response.headers, body: await response.json() };
      expectProblem(problem, 400, 'validation-error');
      expect(JSON.stringify(problem.body)).toContain('UTF-8');
    }
    // Nothing was stored: the same facility, sent as UTF-8, is created now.
    const clean = await county.api.post(`/v1/tenants/${county.tenantId}/facilities`, {
      key: county.admin,
      body: { facilityId: 'east', name: 'East' },
    });
    expect(clean.status, clean.text).toBe(201);
  });

  it('answers a body over 1 MiB and a URL over 16 KiB with problem+json and a request id', async () => {
    const big = await fetch(`${run.url}/v1/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${run.key}`, 'content-type': 'application/json' },
      body: 'x'.repeat(1024 * 1024 + 10),
    });
    const bigProblem = { status: big.status, headers: big.headers, body: await big.json() };
    expectProblem(bigProblem, 413, 'payload-too-large');
    expect(big.headers.get('x-request-id')).toBeTruthy();

    const long = await fetch(`${run.url}/v1/tenants/${'a'.repeat(20_000)}`, {
      headers: { authorization: `Bearer ${run.key}` },
    });
    const longProblem = { status: long.status, headers: long.headers, body: await long.json() };
    expectProblem(longProblem, 431, 'request-header-fields-too-large');
    expect(long.headers.get('x-request-id')).toBeTruthy();
  });
});
