import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Hold } from '../../shared/domain/hold.ts';
import {
  bookWithWarrant,
  type County,
  onboardCounty,
  readHold,
  schedulesOf,
  serveHold,
} from '../support/custody.ts';
import { expectProblem, issueKey } from '../support/fixtures.ts';
import { RequestCounter } from '../support/request-counter.ts';
import { useRuntime } from '../support/runtime.ts';

const runtime = useRuntime();
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const now = () => runtime().clock.now().getTime();

let county: County;
let other: County;
beforeAll(async () => {
  county = await onboardCounty(runtime(), 'holds-a');
  other = await onboardCounty(runtime(), 'holds-b');
});

const serveBody = async (c: County, overrides: Record<string, unknown> = {}) => {
  const { bookingNumber, warrantId } = await bookWithWarrant(c, iso(now() - 3_600_000));
  return { warrantId, bookingNumber, officerId: c.officerId, servedAt: iso(now()), ...overrides };
};
const holdsPath = (c: County) => `/v1/tenants/${c.tenantId}/holds`;

describe('serving a warrant', () => {
  it('is one BatchGetItem (the key with the facts) + one transaction + one CreateSchedule; transfer the same with DeleteSchedule; a read one BatchGetItem', async () => {
    const counter = new RequestCounter();
    counter.attach(runtime().deps.db.doc, 'db');
    // A tenant key's requests go through its tenant-scoped client (authentication stays on the function role).
    counter.attach((await runtime().tenantDb.forTenant(county.tenantId)).doc, 'tenant-db');
    counter.attach(runtime().timers.schedulerClient, 'scheduler');
    const body = await serveBody(county);
    let hold: Hold | undefined;
    const serving = await counter.measure(async () => {
      const response = await county.api.post<Hold>(holdsPath(county), { key: county.jail, body });
      expect(response.status, response.text).toBe(201);
      hold = response.body;
    });
    // The caller's key rides in the facts' BatchGetItem: no request of its own (DESIGN.md §8).
    expect(serving).toEqual({ BatchGetItem: 1, TransactWriteItems: 1, CreateSchedule: 1 });

    const path = `${holdsPath(county)}/${hold?.holdId}`;
    expect(await counter.measure(() => county.api.get(path, { key: county.jail }))).toEqual({
      BatchGetItem: 1,
    });
    const transferring = await counter.measure(async () => {
      const response = await county.api.post(`${path}/transfer`, {
        key: county.liaison,
        body: { transferredAt: iso(now()), receivingOfficer: 'ERO Lee' },
      });
      expect(response.status, response.text).toBe(200);
    });
    // The BatchGetItem is the consistent read of the hold the conditional write is decided on, with the key.
    expect(transferring).toEqual({ BatchGetItem: 1, TransactWriteItems: 1, DeleteSchedule: 1 });
  });

  it('checks the key read with the hold exactly as an up-front check would: 401, 404, 403, and a revoked key at once', async () => {
    const hold = await serveHold(county, iso(now()));
    const path = `${holdsPath(county)}/${hold.holdId}`;
    const transfer = { transferredAt: iso(now()), receivingOfficer: 'ERO Lee' };
    const unknownKey = `wso_${'x'.repeat(40)}`;
    // An unknown key is 401 whatever the hold: existing, unknown, or with a bad body.
    expectProblem(await county.api.get(path, { key: unknownKey }), 401, 'unauthorized');
    expectProblem(
      await county.api.get(`${holdsPath(county)}/01JAAAAAAAAAAAAAAAAAAAAAAA`, { key: unknownKey }),
      401,
    );
    expectProblem(await county.api.post(`${path}/transfer`, { key: unknownKey, body: { x: 1 } }), 401);
    expectProblem(
      await county.api.post(holdsPath(county), { key: unknownKey, body: await serveBody(county) }),
      401,
    );
    // Another county's key: 404 (its tenant is never revealed); a wrong role: 403, and nothing written.
    expectProblem(await other.api.get(path, { key: other.jail }), 404, 'not-found');
    expectProblem(await other.api.post(`${path}/transfer`, { key: other.liaison, body: transfer }), 404);
    expectProblem(await county.api.post(`${path}/transfer`, { key: county.admin, body: transfer }), 403);
    expect((await readHold(county, hold.holdId)).status).toBe('ACTIVE');
    // A revoked key fails on its very next call, read or write.
    const { keyId, apiKey } = await issueKey(county.api, county.admin, county.tenantId, 'ice-liaison');
    expect((await county.api.get(path, { key: apiKey })).status).toBe(200);
    const revoked = await county.api.delete(`/v1/tenants/${county.tenantId}/api-keys/${keyId}`, {
      key: county.admin,
    });
    expect(revoked.status).toBe(204);
    expectProblem(await county.api.get(path, { key: apiKey }), 401);
    expectProblem(await county.api.post(`${path}/transfer`, { key: apiKey, body: transfer }), 401);
    expect((await readHold(county, hold.holdId)).status).toBe('ACTIVE');
  });

  it('lets a wso-officer key serve only as its own officer', async () => {
    const body = await serveBody(county, { officerId: 'someone-else' });
    expectProblem(await county.api.post(holdsPath(county), { key: county.officerKey, body }), 403);
  });

  it('enforces every service rule with a problem type naming it', async () => {
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['future service', { servedAt: iso(now() + 10 * 60_000) }, 422, 'served-in-future'],
      ['unknown booking', { bookingNumber: 'NOPE' }, 422, 'booking-not-found'],
      ['unknown officer', { officerId: 'ghost' }, 422, 'officer-not-found'],
      ['unknown warrant', { warrantId: 'W-NOPE' }, 422, 'warrant-not-found'],
      ['service before booking', { servedAt: iso(now() - 5 * 3_600_000) }, 422, 'served-before-booking'],
      ['IGSA without agreement', { basis: 'IGSA' }, 422, 'no-igsa-agreement'],
    ];
    for (const [, overrides, status, slug] of cases) {
      const body = await serveBody(county, overrides);
      expectProblem(await county.api.post(holdsPath(county), { key: county.jail, body }), status, slug);
    }

    const first = await serveBody(county);
    const second = await serveBody(county);
    // The warrant of another booking.
    expectProblem(
      await county.api.post(holdsPath(county), {
        key: county.jail,
        body: { ...first, warrantId: second.warrantId },
      }),
      422,
      'warrant-for-another-booking',
    );
    expect((await county.api.post(holdsPath(county), { key: county.jail, body: first })).status).toBe(201);
    expectProblem(
      await county.api.post(holdsPath(county), { key: county.jail, body: first }),
      409,
      'open-hold-exists',
    );
  });

  it('refuses a suspended officer and a withdrawn warrant, and writes nothing', async () => {
    const body = await serveBody(county);
    await county.api.post(`/v1/tenants/${county.tenantId}/warrants/${body.warrantId}/withdraw`, {
      key: county.liaison,
      body: { reason: 'rescinded' },
    });
    expectProblem(
      await county.api.post(holdsPath(county), { key: county.jail, body }),
      422,
      'warrant-withdrawn',
    );

    const c = await onboardCounty(runtime(), 'holds-suspended');
    const fresh = await serveBody(c);
    await c.api.post(`/v1/tenants/${c.tenantId}/officers/${c.officerId}/suspend`, {
      key: c.admin,
      body: { reason: 'review' },
    });
    expectProblem(
      await c.api.post(holdsPath(c), { key: c.jail, body: fresh }),
      422,
      'officer-not-credentialed',
    );
    const list = await c.api.get<{ items: Hold[] }>(holdsPath(c), { key: c.admin });
    expect(list.body.items).toEqual([]);
  });

  it('retries a transaction that lost a conflict (injected TransactionCanceledException) and still writes once', async () => {
    const body = await serveBody(county);
    let injected = 0;
    // The jail key's requests go through the county's tenant-scoped client.
    const tenantDoc = (await runtime().tenantDb.forTenant(county.tenantId)).doc;
    tenantDoc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand' && injected === 0) {
          injected += 1;
          throw new TransactionCanceledException({
            $metadata: {},
            message: 'Transaction cancelled',
            CancellationReasons: [{ Code: 'TransactionConflict' }],
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'inject-conflict-once' },
    );
    const response = await county.api.post<Hold>(holdsPath(county), { key: county.jail, body });
    tenantDoc.middlewareStack.remove('inject-conflict-once');
    expect(injected).toBe(1);
    expect(response.status, response.text).toBe(201);
    expect(
      (
        await county.api.get<{ items: Hold[] }>(`${holdsPath(county)}?status=ACTIVE`, { key: county.admin })
      ).body.items.filter((hold) => hold.bookingNumber === body.bookingNumber),
    ).toHaveLength(1);
  });

  it('replays a serve with the same Idempotency-Key: one hold', async () => {
    const body = await serveBody(county);
    const headers = { 'idempotency-key': `serve-${body.bookingNumber}` };
    const first = await county.api.post<Hold>(holdsPath(county), { key: county.jail, body, headers });
    const again = await county.api.post<Hold>(holdsPath(county), { key: county.jail, body, headers });
    expect(again.status).toBe(201);
    expect(again.body.holdId).toBe(first.body.holdId);
    expectProblem(
      await county.api.post(holdsPath(county), {
        key: county.jail,
        body: { ...body, servedAt: iso(now() - 1000) },
        headers,
      }),
      422,
      'idempotency-key-reused',
    );
  });
});

describe('closing holds', () => {
  it('releasing the booking closes its open hold as RELEASED, and deletes the timer', async () => {
    const hold = await serveHold(county, iso(now()));
    const released = await county.api.post<{ hold: Hold }>(
      `/v1/tenants/${county.tenantId}/bookings/${hold.bookingNumber}/release`,
      { key: county.jail, body: { releasedAt: iso(now()) } },
    );
    expect(released.status, released.text).toBe(200);
    expect(released.body).toMatchObject({ status: 'RELEASED', hold: { status: 'RELEASED', late: false } });
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([]);
    expectProblem(
      await county.api.post(`/v1/tenants/${county.tenantId}/bookings/${hold.bookingNumber}/release`, {
        key: county.jail,
        body: { releasedAt: iso(now()) },
      }),
      409,
      'booking-released',
    );
    expectProblem(
      await county.api.post(`${holdsPath(county)}/${hold.holdId}/transfer`, {
        key: county.liaison,
        body: { transferredAt: iso(now()), receivingOfficer: 'x' },
      }),
      409,
      'transition-not-allowed',
    );
  });

  it('withdrawing the warrant cancels an ACTIVE hold and frees the booking for another service', async () => {
    const hold = await serveHold(county, iso(now()));
    const withdrawn = await county.api.post(
      `/v1/tenants/${county.tenantId}/warrants/${hold.warrantId}/withdraw`,
      {
        key: county.liaison,
        body: { reason: 'ICE rescinded the warrant' },
      },
    );
    expect(withdrawn.status, withdrawn.text).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'WITHDRAWN', hold: { status: 'CANCELLED' } });
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([]);
    expectProblem(
      await county.api.post(`/v1/tenants/${county.tenantId}/warrants/${hold.warrantId}/withdraw`, {
        key: county.liaison,
        body: { reason: 'again' },
      }),
      409,
      'warrant-withdrawn',
    );
  });

  it('withdrawing the warrant of an OVERDUE hold leaves it OVERDUE until the release is recorded', async () => {
    const hold = await serveHold(county, iso(now() - 49 * 3_600_000));
    expect(hold.status).toBe('OVERDUE');
    const withdrawn = await county.api.post(
      `/v1/tenants/${county.tenantId}/warrants/${hold.warrantId}/withdraw`,
      {
        key: county.liaison,
        body: { reason: 'too late' },
      },
    );
    expect(withdrawn.status).toBe(200);
    expect((await readHold(county, hold.holdId)).status).toBe('OVERDUE');
    const released = await county.api.post<Hold>(`${holdsPath(county)}/${hold.holdId}/release`, {
      key: county.jail,
      body: { releasedAt: iso(now()) },
    });
    expect(released.body).toMatchObject({ status: 'RELEASED', late: true, needsReview: true });
  });

  it('validates facts: not in the future, not before service', async () => {
    const hold = await serveHold(county, iso(now()));
    const path = `${holdsPath(county)}/${hold.holdId}`;
    expectProblem(
      await county.api.post(`${path}/release`, {
        key: county.jail,
        body: { releasedAt: iso(now() + 3_600_000) },
      }),
      422,
      'releasedAt-in-future',
    );
    expectProblem(
      await county.api.post(`${path}/transfer`, {
        key: county.jail,
        body: { transferredAt: iso(now() - 3_600_000), receivingOfficer: 'x' },
      }),
      422,
      'transfer-before-service',
    );
    expectProblem(
      await county.api.post(`${path}/release`, { key: county.jail, body: { releasedAt: 'yesterday' } }),
      400,
    );
  });
});

describe('reading holds', () => {
  it('lists newest first, filters by status, pages with an opaque token', async () => {
    const c = await onboardCounty(runtime(), 'holds-list');
    const served: Hold[] = [];
    for (let index = 0; index < 3; index++) served.push(await serveHold(c, iso(now())));
    await c.api.post(`${holdsPath(c)}/${served[0]?.holdId}/release`, {
      key: c.jail,
      body: { releasedAt: iso(now()) },
    });
    const page1 = await c.api.get<{ items: Hold[]; nextToken?: string }>(`${holdsPath(c)}?limit=2`, {
      key: c.jail,
    });
    expect(page1.body.items.map((hold) => hold.holdId)).toEqual([served[2]?.holdId, served[1]?.holdId]);
    const page2 = await c.api.get<{ items: Hold[]; nextToken?: string }>(
      `${holdsPath(c)}?limit=2&nextToken=${page1.body.nextToken}`,
      { key: c.jail },
    );
    expect(page2.body.items.map((hold) => hold.holdId)).toEqual([served[0]?.holdId]);
    const active = await c.api.get<{ items: Hold[] }>(`${holdsPath(c)}?status=ACTIVE`, { key: c.liaison });
    expect(active.body.items).toHaveLength(2);
    expectProblem(await c.api.get(`${holdsPath(c)}?status=LOST`, { key: c.jail }), 400);
    // A token of another tenant's partition is refused.
    const foreignToken = Buffer.from(JSON.stringify({ pk: 'TENANT#holds-a', sk: 'HOLD#Z' })).toString(
      'base64url',
    );
    expectProblem(await c.api.get(`${holdsPath(c)}?nextToken=${foreignToken}`, { key: c.jail }), 400);
  });

  it('a wso-officer key sees only its own officer\u2019s holds', async () => {
    const c = await onboardCounty(runtime(), 'holds-officer');
    const hold = await serveHold(c, iso(now()));
    const secondOfficer = 'off-2';
    await c.api.post(`/v1/tenants/${c.tenantId}/officers`, {
      key: c.admin,
      body: { officerId: secondOfficer, name: 'Sam Poe', badgeNumber: 'B-2', facilityIds: [c.facilityId] },
    });
    const otherOfficerKey = (
      await issueKey(c.api, c.admin, c.tenantId, 'wso-officer', { officerId: secondOfficer })
    ).apiKey;
    expect((await c.api.get(`${holdsPath(c)}/${hold.holdId}`, { key: c.officerKey })).status).toBe(200);
    expectProblem(await c.api.get(`${holdsPath(c)}/${hold.holdId}`, { key: otherOfficerKey }), 404);
    const list = await c.api.get<{ items: Hold[] }>(holdsPath(c), { key: otherOfficerKey });
    expect(list.body.items).toEqual([]);
  });

  it('never shows one county\u2019s holds to another', async () => {
    const hold = await serveHold(county, iso(now()));
    expectProblem(await other.api.get(`${holdsPath(county)}/${hold.holdId}`, { key: other.admin }), 404);
    expectProblem(await other.api.get(`${holdsPath(other)}/${hold.holdId}`, { key: other.admin }), 404);
    expectProblem(
      await other.api.post(`${holdsPath(county)}/${hold.holdId}/transfer`, {
        key: other.liaison,
        body: { transferredAt: iso(now()), receivingOfficer: 'x' },
      }),
      404,
    );
    expectProblem(
      await other.api.get(`${holdsPath(county)}/${hold.holdId}/events`, { key: other.admin }),
      404,
    );
    expect((await readHold(county, hold.holdId)).status).toBe('ACTIVE');
  });
});
