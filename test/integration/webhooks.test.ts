import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.ts';
import { VirtualClock } from '../../shared/clock.ts';
import type { Hold } from '../../shared/domain/hold.ts';
import { randomSecret } from '../../shared/ids.ts';
import { tenantPk } from '../../shared/store/keys.ts';
import { getDelivery } from '../../shared/store/webhook-deliveries.ts';
import type { ChangeRecord } from '../../shared/streams/change-record.ts';
import { webhookOutboxConsumer } from '../../shared/webhooks/outbox-consumer.ts';
import type { Delivery } from '../../shared/webhooks/schemas.ts';
import { verifySignature } from '../../shared/webhooks/signature.ts';
import { CALLER_ROLES, expectRoles, keysOf } from '../support/access.ts';
import { type County, onboardCounty, serveHold } from '../support/custody.ts';
import { testDynamoEndpoint } from '../support/dynamodb.ts';
import { expectProblem } from '../support/fixtures.ts';
import { TEST_START } from '../support/runtime.ts';

/** Short, so a receiver that never answers costs a test a fraction of a second. */
const TIMEOUT_MS = 300;
const HOLD_EVENTS = [
  'hold.created',
  'hold.release_due',
  'hold.overdue',
  'hold.transferred',
  'hold.released',
  'hold.cancelled',
] as const;

let rt: LocalRuntime;
beforeAll(async () => {
  rt = await startLocalRuntime({
    dynamoEndpoint: await testDynamoEndpoint(),
    tableName: `test-${randomSecret(6).replace(/[^a-zA-Z0-9]/g, 'x')}`,
    adminKey: `test_admin_${randomSecret(18)}`,
    clock: new VirtualClock({ start: TEST_START }),
    webhooks: { timeoutMs: TIMEOUT_MS },
  });
});
const receivers: Receiver[] = [];
afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
  // As in useRuntime: no tenant request was refused by the emulated tenant-data role.
  const refused = rt?.tenantDb.takeRefusals() ?? [];
  await rt?.stop();
  expect(refused).toEqual([]);
});

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const now = () => rt.clock.now().getTime();
/** One clock step at "now": drains the stream into deliveries and sends what is due. */
const settle = () => rt.advanceTo(rt.clock.now());

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** Real time (performance.now) when the request arrived. */
  at: number;
  /** The attempt's virtual time: the signature's timestamp (deliveries run on their own, at their due time). */
  virtualAt: number;
  /** The virtual clock when it arrived: never before the attempt's time. */
  clockAt: number;
}

type Behaviour = (requestNumber: number) => number | 'hang';

/** A real receiver on 127.0.0.1: answers with the status `behaviour` says, or never answers. */
class Receiver {
  readonly requests: Received[] = [];
  /** Real times at which hanging requests were cut off by the sender's timeout. */
  readonly cutOffAt: number[] = [];
  behaviour: Behaviour;
  open = 0;
  peakOpen = 0;
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();
  url = '';

  private constructor(behaviour: Behaviour) {
    this.behaviour = behaviour;
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.requests.push({
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: performance.now(),
          virtualAt: Number(/t=(\d+)/.exec(String(request.headers['wso-signature']))?.[1]) * 1000,
          clockAt: now(),
        });
        const answer = this.behaviour(this.requests.length);
        if (answer !== 'hang') {
          response.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
          return;
        }
        this.open += 1;
        this.peakOpen = Math.max(this.peakOpen, this.open);
        this.hanging.add(response);
        request.socket.on('close', () => {
          this.open -= 1;
          this.hanging.delete(response);
          this.cutOffAt.push(performance.now());
        });
      });
    });
  }

  static async start(behaviour: Behaviour): Promise<Receiver> {
    const receiver = new Receiver(behaviour);
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks/wso`;
    receivers.push(receiver);
    return receiver;
  }

  bodies(): { id: string; type: string; occurredAt: string; tenantId: string; data: { hold: Hold } }[] {
    return this.requests.map((request) => JSON.parse(request.body));
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface Subscription {
  webhookId: string;
  secret: string;
}

async function subscribe(county: County, url: string, events: readonly string[]): Promise<Subscription> {
  const response = await county.api.post<Subscription>(`/v1/tenants/${county.tenantId}/webhooks`, {
    key: county.admin,
    body: { url, events },
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const deliveriesPath = (county: County, webhookId: string) =>
  `/v1/tenants/${county.tenantId}/webhooks/${webhookId}/deliveries`;

async function deliveries(county: County, webhookId: string): Promise<Delivery[]> {
  const response = await county.api.get<{ items: Delivery[] }>(deliveriesPath(county, webhookId), {
    key: county.admin,
  });
  expect(response.status, response.text).toBe(200);
  return response.body.items;
}

async function onlyDelivery(county: County, webhookId: string): Promise<Delivery> {
  const items = await deliveries(county, webhookId);
  expect(items).toHaveLength(1);
  return items[0] as Delivery;
}

const redeliver = (county: County, webhookId: string, deliveryId: string, key = county.admin) =>
  county.api.post(`${deliveriesPath(county, webhookId)}/${deliveryId}/redeliver`, { key });

function expectSigned(request: Received, secret: string): void {
  const check = verifySignature(request.headers['wso-signature'] as string, request.body, secret, {
    nowSeconds: Math.floor(request.virtualAt / 1000),
    toleranceSeconds: 0,
  });
  expect(check, request.headers['wso-signature'] as string).toEqual({
    ok: true,
    timestamp: Math.floor(request.virtualAt / 1000),
  });
  expect(request.virtualAt).toBeLessThanOrEqual(request.clockAt);
}

describe('webhook deliveries', () => {
  it('sends exactly one signed delivery per hold transition, to each matching subscription', async () => {
    const county = await onboardCounty(rt, 'hooks-flow', { releaseLeadMinutes: 60 });
    const receiver = await Receiver.start(() => 200);
    const overdueOnly = await Receiver.start(() => 204);
    const all = await subscribe(county, receiver.url, HOLD_EVENTS);
    await subscribe(county, overdueOnly.url, ['hold.overdue']);

    const hold = await serveHold(county, iso(now()));
    await settle();
    expect(receiver.bodies().map((body) => body.type)).toEqual(['hold.created']);
    await rt.advanceTo(new Date(Date.parse(hold.releaseDueAt ?? '')));
    await rt.advanceTo(new Date(Date.parse(hold.deadline ?? '')));
    const released = await county.api.post(`/v1/tenants/${county.tenantId}/holds/${hold.holdId}/release`, {
      key: county.jail,
      body: { releasedAt: iso(now()) },
    });
    expect(released.status, released.text).toBe(200);
    await settle();

    const bodies = receiver.bodies();
    expect(bodies.map((body) => body.type)).toEqual([
      'hold.created',
      'hold.release_due',
      'hold.overdue',
      'hold.released',
    ]);
    expect(bodies.map((body) => body.data.hold.status)).toEqual([
      'ACTIVE',
      'RELEASE_DUE',
      'OVERDUE',
      'RELEASED',
    ]);
    // The body's id is the outbox (= audit) event id: receivers dedupe on it.
    const events = await county.api.get<{ items: { eventId: string }[] }>(
      `/v1/tenants/${county.tenantId}/holds/${hold.holdId}/events`,
      { key: county.admin },
    );
    expect(bodies.map((body) => body.id)).toEqual(events.body.items.map((event) => event.eventId));
    for (const [index, request] of receiver.requests.entries()) {
      const body = bodies[index];
      expect(Object.keys(body ?? {}).sort()).toEqual(['data', 'id', 'occurredAt', 'tenantId', 'type']);
      expect(body).toMatchObject({ tenantId: county.tenantId, data: { hold: { holdId: hold.holdId } } });
      expect(request.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': expect.stringMatching(/^WSO-Custody-Webhooks\//),
        'wso-event-id': body?.id,
        'wso-delivery-attempt': '1',
      });
      expectSigned(request, all.secret);
      expect(
        verifySignature(request.headers['wso-signature'] as string, request.body, 'whsec_wrong', {
          nowSeconds: Math.floor(request.virtualAt / 1000),
        }).ok,
      ).toBe(false);
    }
    expect(overdueOnly.bodies().map((body) => body.type)).toEqual(['hold.overdue']);

    // A replayed stream record (at-least-once) creates no second delivery and sends nothing more.
    const outbox = await rt.deps.db.doc.send(
      new QueryCommand({
        TableName: rt.deps.db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': tenantPk(county.tenantId), ':prefix': 'OUTBOX#' },
      }),
    );
    const replay: ChangeRecord[] = (outbox.Items ?? []).map((item, index) => ({
      eventId: `replay-${index}`,
      eventName: 'INSERT',
      pk: String(item.pk),
      sk: String(item.sk),
      newImage: item,
    }));
    expect(replay).toHaveLength(4);
    await webhookOutboxConsumer.handle(replay, rt.deps);
    await webhookOutboxConsumer.handle(replay, rt.deps);
    await rt.drainStreams();
    await settle();
    expect(receiver.requests).toHaveLength(4);
    expect(overdueOnly.requests).toHaveLength(1);

    // The log: one SUCCEEDED delivery per event, newest first, paged.
    const log = await deliveries(county, all.webhookId);
    expect(log.map((delivery) => delivery.eventType)).toEqual([
      'hold.released',
      'hold.overdue',
      'hold.release_due',
      'hold.created',
    ]);
    expect(log.every((delivery) => delivery.status === 'SUCCEEDED' && delivery.attempts === 1)).toBe(true);
    expect(log[0]).toMatchObject({ lastStatusCode: 200, deliveryId: log[0]?.eventId, round: 1 });
    expect(log[0]?.lastLatencyMs).toBeGreaterThanOrEqual(0);
    expect(log[0]).not.toHaveProperty('payload');
    const firstPage = await county.api.get<{ items: Delivery[]; nextToken?: string }>(
      `${deliveriesPath(county, all.webhookId)}?limit=3`,
      { key: county.admin },
    );
    expect(firstPage.body.items).toHaveLength(3);
    const secondPage = await county.api.get<{ items: Delivery[]; nextToken?: string }>(
      `${deliveriesPath(county, all.webhookId)}?limit=3&nextToken=${firstPage.body.nextToken}`,
      { key: county.admin },
    );
    expect(secondPage.body.items.map((delivery) => delivery.eventType)).toEqual(['hold.created']);
    expect(secondPage.body.nextToken).toBeUndefined();
  });

  it('retries a 500 at its backoff times on the virtual clock, then succeeds; redeliver sends it again', async () => {
    const county = await onboardCounty(rt, 'hooks-retry');
    const receiver = await Receiver.start((n) => (n <= 2 ? 500 : 200));
    const hook = await subscribe(county, receiver.url, ['hold.created']);
    await serveHold(county, iso(now()));
    await settle();
    const attempt1 = receiver.requests[0]?.virtualAt ?? 0;
    let delivery = await onlyDelivery(county, hook.webhookId);
    expect(delivery).toMatchObject({ status: 'RETRYING', attempts: 1, lastStatusCode: 500 });
    const retry1 = Date.parse(delivery.nextAttemptAt ?? '');
    // Full jitter under the first ceiling (10 s), never sooner than 1 s.
    expect(retry1 - attempt1).toBeGreaterThanOrEqual(1000);
    expect(retry1 - attempt1).toBeLessThanOrEqual(10_000);

    await rt.advanceTo(new Date(retry1 - 1000));
    expect(receiver.requests).toHaveLength(1);
    await rt.advanceTo(new Date(retry1));
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1]?.virtualAt).toBe(retry1);
    delivery = await onlyDelivery(county, hook.webhookId);
    expect(delivery).toMatchObject({ status: 'RETRYING', attempts: 2, lastStatusCode: 500 });
    const retry2 = Date.parse(delivery.nextAttemptAt ?? '');
    expect(retry2 - retry1).toBeGreaterThanOrEqual(1000);
    expect(retry2 - retry1).toBeLessThanOrEqual(20_000);

    // A long jump still sends the retry at its own time (the clock stops there on the way).
    await rt.advanceTo(new Date(retry2 + 3_600_000));
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests[2]?.virtualAt).toBe(retry2);
    delivery = await onlyDelivery(county, hook.webhookId);
    expect(delivery).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 3,
      lastStatusCode: 200,
      deliveredAt: iso(retry2),
    });
    expect(delivery.nextAttemptAt).toBeUndefined();
    expect(delivery.history.map((attempt) => [attempt.attempt, attempt.statusCode, attempt.result])).toEqual([
      [1, 500, 'RETRYING'],
      [2, 500, 'RETRYING'],
      [3, 200, 'SUCCEEDED'],
    ]);
    expect(receiver.requests.map((request) => request.headers['wso-delivery-attempt'])).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(new Set(receiver.requests.map((request) => request.headers['wso-event-id'])).size).toBe(1);
    for (const request of receiver.requests) expectSigned(request, hook.secret);

    const again = await redeliver(county, hook.webhookId, delivery.deliveryId);
    expect(again.status, again.text).toBe(202);
    expect(again.body).toEqual({ deliveryId: delivery.deliveryId, round: 2, status: 'PENDING' });
    await settle();
    expect(receiver.requests).toHaveLength(4);
    expect(receiver.requests[3]?.body).toBe(receiver.requests[0]?.body);
    expect(receiver.requests[3]?.headers['wso-delivery-attempt']).toBe('4');
    expect(await onlyDelivery(county, hook.webhookId)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 4,
      round: 2,
    });
  });

  it('gives up after the last attempt: FAILED, dead-lettered; a redeliver starts a fresh round', async () => {
    const county = await onboardCounty(rt, 'hooks-dlq');
    const receiver = await Receiver.start(() => 503);
    const hook = await subscribe(county, receiver.url, ['hold.created']);
    await serveHold(county, iso(now()));
    await settle();
    await rt.advanceTo(new Date(now() + 12 * 3_600_000));
    const maxAttempts = 12;
    expect(receiver.requests).toHaveLength(maxAttempts);
    const delivery = await onlyDelivery(county, hook.webhookId);
    expect(delivery).toMatchObject({ status: 'FAILED', attempts: maxAttempts, lastStatusCode: 503 });
    expect(delivery.failedAt).toBeDefined();
    expect(delivery.nextAttemptAt).toBeUndefined();
    expect(delivery.history).toHaveLength(maxAttempts);
    expect(rt.deliveries.deadLetters).toContainEqual(
      expect.objectContaining({ webhookId: hook.webhookId, deliveryId: delivery.deliveryId, round: 1 }),
    );

    receiver.behaviour = () => 200;
    expect((await redeliver(county, hook.webhookId, delivery.deliveryId)).status).toBe(202);
    await settle();
    expect(await onlyDelivery(county, hook.webhookId)).toMatchObject({
      status: 'SUCCEEDED',
      attempts: maxAttempts + 1,
      round: 2,
    });
  });

  it('a receiver that never answers does not delay another tenant\u2019s deliveries', async () => {
    const slowCounty = await onboardCounty(rt, 'hooks-hang');
    const fastCounty = await onboardCounty(rt, 'hooks-fast');
    const hanging = await Receiver.start(() => 'hang');
    const fast = await Receiver.start(() => 200);
    const slowHook = await subscribe(slowCounty, hanging.url, ['hold.created']);
    await subscribe(fastCounty, fast.url, ['hold.created']);
    // Six deliveries to the hanging receiver are due, queued before the other tenant's one.
    for (let index = 0; index < 6; index++) await serveHold(slowCounty, iso(now()));
    await serveHold(fastCounty, iso(now()));

    await settle();

    expect(fast.requests).toHaveLength(1);
    expect(hanging.requests).toHaveLength(6);
    const firstCutOff = Math.min(...hanging.cutOffAt);
    // The other tenant was served while the first hanging request was still open...
    expect(fast.requests[0]?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(firstCutOff);
    // ...and not queued behind the hanging receiver's backlog: that receiver holds at most its own
    // share of the slots, so its third request waits for a slot its first wave frees at the timeout.
    expect(hanging.peakOpen).toBeLessThanOrEqual(2);
    expect(fast.requests[0]?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(hanging.requests[2]?.at ?? 0);
    const firstHang = Math.min(...hanging.requests.map((request) => request.at));
    expect((hanging.requests[2]?.at ?? 0) - firstHang).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    const log = await deliveries(slowCounty, slowHook.webhookId);
    expect(log).toHaveLength(6);
    for (const delivery of log) {
      expect(delivery).toMatchObject({ status: 'RETRYING', attempts: 1 });
      expect(delivery.lastError).toBe(`no response within ${TIMEOUT_MS} ms`);
      expect(delivery.lastStatusCode).toBeUndefined();
    }
    await hanging.close();
  });

  it('a deleted subscription gets nothing more; its queued deliveries settle as FAILED', async () => {
    const county = await onboardCounty(rt, 'hooks-delete');
    const receiver = await Receiver.start(() => 200);
    const hook = await subscribe(county, receiver.url, ['hold.created']);
    const hold = await serveHold(county, iso(now()));
    await rt.drainStreams(); // the delivery is queued, not yet sent
    const deleted = await county.api.delete(`/v1/tenants/${county.tenantId}/webhooks/${hook.webhookId}`, {
      key: county.admin,
    });
    expect(deleted.status, deleted.text).toBe(204);
    await settle();
    expect(receiver.requests).toHaveLength(0);
    const [event] = (
      await county.api.get<{ items: { eventId: string }[] }>(
        `/v1/tenants/${county.tenantId}/holds/${hold.holdId}/events`,
        { key: county.admin },
      )
    ).body.items;
    const stored = await getDelivery(rt.deps.db, county.tenantId, hook.webhookId, event?.eventId ?? '');
    expect(stored).toMatchObject({ status: 'FAILED', lastError: 'the subscription was deleted' });
    expectProblem(await county.api.get(deliveriesPath(county, hook.webhookId), { key: county.admin }), 404);
  });
});

describe('webhook subscriptions API', () => {
  let county: County;
  let other: County;
  let hook: Subscription;
  let deliveryId: string;
  let receiver: Receiver;
  beforeAll(async () => {
    county = await onboardCounty(rt, 'hooks-api');
    other = await onboardCounty(rt, 'hooks-api-other');
    receiver = await Receiver.start(() => 200);
    hook = await subscribe(county, receiver.url, ['hold.created', 'officer.credential_expiring']);
    await serveHold(county, iso(now()));
    await settle();
    deliveryId = (await onlyDelivery(county, hook.webhookId)).deliveryId;
  });

  const path = (c: County, suffix = '') => `/v1/tenants/${c.tenantId}/webhooks${suffix}`;

  it('shows the secret once: never in the list or a read', async () => {
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
    const list = await county.api.get<{ items: Record<string, unknown>[] }>(path(county), {
      key: county.admin,
    });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ webhookId: hook.webhookId, url: receiver.url, status: 'ACTIVE' }),
    ]);
    expect(list.text).not.toContain(hook.secret);
    expect(list.body.items[0]).not.toHaveProperty('secret');
    const one = await county.api.get(path(county, `/${hook.webhookId}`), { key: county.admin });
    expect(one.status).toBe(200);
    expect(one.text).not.toContain(hook.secret);
  });

  it('another county\u2019s key gets 404 on every webhook route', async () => {
    const key = other.admin;
    const calls = [
      county.api.post(path(county), { key, body: { url: receiver.url, events: ['hold.created'] } }),
      county.api.get(path(county), { key }),
      county.api.get(path(county, `/${hook.webhookId}`), { key }),
      county.api.delete(path(county, `/${hook.webhookId}`), { key }),
      county.api.get(deliveriesPath(county, hook.webhookId), { key }),
      redeliver(county, hook.webhookId, deliveryId, key),
      // Its own tenant path with the first county's ids: not found either.
      other.api.get(deliveriesPath(other, hook.webhookId), { key }),
      redeliver(other, hook.webhookId, deliveryId, key),
    ];
    for (const response of await Promise.all(calls)) expectProblem(response, 404, 'not-found');
  });

  it('only county-admin may call them (403 for every other role)', async () => {
    const keys = keysOf(county, rt.adminKey);
    expect(CALLER_ROLES).toContain('platform-admin');
    const only = ['county-admin'] as const;
    await expectRoles(keys, only, (key) =>
      county.api.post(path(county), { key, body: { url: receiver.url, events: ['hold.overdue'] } }),
    );
    await expectRoles(keys, only, (key) => county.api.get(path(county), { key }));
    await expectRoles(keys, only, (key) => county.api.get(path(county, `/${hook.webhookId}`), { key }));
    await expectRoles(keys, only, (key) => county.api.get(deliveriesPath(county, hook.webhookId), { key }));
    await expectRoles(keys, only, (key) => redeliver(county, hook.webhookId, deliveryId, key));
    await expectRoles(keys, only, async (key) => {
      const extra = await subscribe(county, receiver.url, ['hold.cancelled']);
      return county.api.delete(path(county, `/${extra.webhookId}`), { key });
    });
  });

  it('refuses unknown fields and invalid subscriptions with 400, writing nothing', async () => {
    const before = (await county.api.get<{ items: unknown[] }>(path(county), { key: county.admin })).body
      .items.length;
    const attempt = (body: unknown) => county.api.post(path(county), { key: county.admin, body });
    const unknown = await attempt({ url: receiver.url, events: ['hold.created'], secret: 'mine' });
    expectProblem(unknown, 400, 'validation-error');
    expect(unknown.body).toMatchObject({
      errors: [{ path: 'body.secret', message: 'is not a known field' }],
    });
    for (const body of [
      { url: receiver.url, events: [] },
      { url: receiver.url, events: ['hold.exploded'] },
      { url: receiver.url, events: ['hold.created', 'hold.created'] },
      { url: receiver.url },
      { events: ['hold.created'] },
    ]) {
      expectProblem(await attempt(body), 400, 'validation-error');
    }
    // The SSRF policy, as the local runtime applies it.
    for (const url of [
      'http://hooks.example.com/wso',
      'https://localhost/wso',
      'https://10.0.0.8/wso',
      'https://169.254.169.254/latest',
      'http://127.0.0.1.nip.io:8080/',
      'https://user:pw@hooks.example.com/',
    ]) {
      const response = await attempt({ url, events: ['hold.created'] });
      expectProblem(response, 400, 'validation-error');
      expect((response.body as { errors: { path: string }[] }).errors[0]?.path).toBe('body.url');
    }
    expect(
      (await county.api.get<{ items: unknown[] }>(path(county), { key: county.admin })).body.items,
    ).toHaveLength(before);
    expectProblem(
      await county.api.get(`${deliveriesPath(county, hook.webhookId)}?status=FAILED`, { key: county.admin }),
      400,
    );
    expectProblem(
      await county.api.get(`${deliveriesPath(county, hook.webhookId)}?limit=0`, { key: county.admin }),
      400,
    );
    expectProblem(
      await county.api.get(`${deliveriesPath(county, hook.webhookId)}?nextToken=forged`, {
        key: county.admin,
      }),
      400,
    );
    expectProblem(
      await county.api.post(`${deliveriesPath(county, hook.webhookId)}/${deliveryId}/redeliver`, {
        key: county.admin,
        body: { now: true },
      }),
      400,
    );
    expectProblem(await county.api.get(deliveriesPath(county, 'not-a-ulid'), { key: county.admin }), 400);
    expectProblem(await redeliver(county, hook.webhookId, '01JZZZZZZZZZZZZZZZZZZZZZZZ'), 404);
  });
});
