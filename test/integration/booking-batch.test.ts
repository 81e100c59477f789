import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type County, onboardCounty } from '../support/custody.ts';
import { expectProblem } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { TEST_START, useRuntime } from '../support/runtime.ts';

/**
 * POST /v1/tenants/{t}/bookings:batch (issue 17 item 1): each item answered as its own PUT would
 * be, in request order; one bad item never blocks the others; idempotent per item. The test clock
 * stands at 2026-11-24T03:00:00Z.
 */

const runtime = useRuntime();
/** Batches of 500 on a busy 2-core machine: timing is reported, never a reason to fail. */
const HEAVY_MS = 180_000;
const api = () => new ApiClient(runtime().url);

let county: County;
let foreign: County;
const base = (tenantId = county.tenantId) => `/v1/tenants/${tenantId}`;

beforeAll(async () => {
  county = await onboardCounty(runtime(), 'batch-a-fl');
  foreign = await onboardCounty(runtime(), 'batch-b-fl');
});

beforeEach(() => {
  runtime().clock.set(TEST_START);
});

interface Problem {
  type: string;
  status: number;
  instance?: string;
  errors?: { path: string; message: string }[];
}
interface Result {
  bookingNumber?: string;
  status: number;
  problem?: Problem;
}
interface Booking {
  bookingNumber: string;
  version: number;
  updatedAt: string;
  person: { firstName: string };
}
interface AuditEvent {
  type: string;
  subject: { kind: string; id: string };
}

const bookingBody = (overrides: Record<string, unknown> = {}) => ({
  facilityId: county.facilityId,
  bookedAt: '2026-11-23T22:15:00Z',
  person: { firstName: 'Alex', lastName: 'Doe', dateOfBirth: '1990-04-01' },
  charges: [{ code: '316.193', description: 'DUI' }],
  ...overrides,
});

const item = (bookingNumber: string, overrides: Record<string, unknown> = {}) => ({
  bookingNumber,
  ...bookingBody(overrides),
});

const numbers = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix}-${String(index).padStart(4, '0')}`);

const postBatch = (bookings: unknown[], key = county.jail, tenantId = county.tenantId) =>
  api().post<{ results: Result[] }>(`${base(tenantId)}/bookings:batch`, { key, body: { bookings } });

async function batch(bookings: unknown[]): Promise<Result[]> {
  const response = await postBatch(bookings);
  expect(response.status, response.text).toBe(200);
  expect(response.body.results).toHaveLength(bookings.length);
  return response.body.results;
}

const readBooking = async (bookingNumber: string, tenant: County = county) =>
  api().get<Booking>(`${base(tenant.tenantId)}/bookings/${bookingNumber}`, { key: tenant.admin });

async function auditEvents(): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let token: string | undefined;
  do {
    const query = `?limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`;
    const page = await api().get<{ items: AuditEvent[]; nextToken?: string }>(
      `${base()}/audit/events${query}`,
      { key: county.admin },
    );
    expect(page.status, page.text).toBe(200);
    events.push(...page.body.items);
    token = page.body.nextToken;
  } while (token);
  return events;
}

const eventsOf = (events: AuditEvent[], bookingNumber: string) =>
  events.filter((event) => event.subject.kind === 'booking' && event.subject.id === bookingNumber);

const slugOf = (result: Result) => result.problem?.type.split('/').pop();

describe('bookings:batch', () => {
  it('creates 500 bookings (201 each, in order), and the same batch again changes nothing (200 each)', {
    timeout: HEAVY_MS,
  }, async () => {
    const batchNumbers = numbers('FULL', 500);
    const bookings = batchNumbers.map((number, index) =>
      item(number, { person: { firstName: `P${index}`, lastName: 'Doe', dateOfBirth: '1990-04-01' } }),
    );
    const first = await batch(bookings);
    expect(first).toEqual(batchNumbers.map((bookingNumber) => ({ bookingNumber, status: 201 })));
    const stored = await readBooking('FULL-0321');
    expect(stored.status).toBe(200);
    expect(stored.body.person.firstName).toBe('P321');
    const eventsBefore = await auditEvents();

    runtime().clock.advance(60 * 60 * 1000);
    const again = await batch(bookings);
    expect(again).toEqual(batchNumbers.map((bookingNumber) => ({ bookingNumber, status: 200 })));
    const after = await readBooking('FULL-0321');
    expect(after.body).toEqual(stored.body);
    expect((await auditEvents()).length).toBe(eventsBefore.length);
  });

  it('refuses a batch of 501 (400, nothing written) and an empty one', async () => {
    const response = await postBatch(numbers('OVER', 501).map((number) => item(number)));
    expectProblem(response, 400, 'validation-error');
    expect(JSON.stringify(response.body)).toContain('body.bookings');
    expect((await readBooking('OVER-0000')).status).toBe(404);
    expectProblem(await postBatch([]), 400, 'validation-error');
  });

  it('answers good and bad items in request order, each with its own problem, the good ones written', async () => {
    // A booking to update and one that is released, both through the single-booking routes.
    const put = await api().put(`${base()}/bookings/MIX-UPD`, { key: county.jail, body: bookingBody() });
    expect(put.status, put.text).toBe(201);
    const released = await api().put(`${base()}/bookings/MIX-REL`, { key: county.jail, body: bookingBody() });
    expect(released.status, released.text).toBe(201);
    const release = await api().post(`${base()}/bookings/MIX-REL/release`, {
      key: county.jail,
      body: { releasedAt: '2026-11-24T01:00:00Z' },
    });
    expect(release.status, release.text).toBe(200);

    const bookings = [
      item('MIX-NEW-1'),
      { bookingNumber: 'MIX-SHAPE', facilityId: county.facilityId, bookedAt: '2026-11-23T22:15:00Z' },
      { ...item('MIX-UNKNOWN-FIELD'), nationality: 'XX' },
      42,
      { ...bookingBody() },
      item('MIX-FACILITY', { facilityId: 'no-such-jail' }),
      item('MIX-FUTURE', { bookedAt: '2026-11-25T00:00:00Z' }),
      item('MIX-UPD', { person: { firstName: 'Alexis', lastName: 'Doe', dateOfBirth: '1990-04-01' } }),
      item('MIX-REL', { person: { firstName: 'Changed', lastName: 'Doe', dateOfBirth: '1990-04-01' } }),
      item('MIX-DOB', { person: { firstName: 'A', lastName: 'B', dateOfBirth: '2030-01-01' } }),
      item('MIX-NEW-2'),
    ];
    const results = await batch(bookings);
    expect(results.map((result) => [result.bookingNumber, result.status, slugOf(result)])).toEqual([
      ['MIX-NEW-1', 201, undefined],
      ['MIX-SHAPE', 400, 'validation-error'],
      ['MIX-UNKNOWN-FIELD', 400, 'validation-error'],
      [undefined, 400, 'validation-error'],
      [undefined, 400, 'validation-error'],
      ['MIX-FACILITY', 422, 'facility-not-found'],
      ['MIX-FUTURE', 422, 'booked-at-in-future'],
      ['MIX-UPD', 200, undefined],
      ['MIX-REL', 409, 'booking-released'],
      ['MIX-DOB', 422, 'date-of-birth-in-future'],
      ['MIX-NEW-2', 201, undefined],
    ]);
    // The PUT's own validation wording, paths as for the PUT body.
    expect(results[1]?.problem?.errors).toContainEqual({ path: 'body.person', message: 'is required' });
    expect(results[2]?.problem?.errors).toContainEqual({
      path: 'body.nationality',
      message: 'is not a known field',
    });
    expect(results[4]?.problem?.errors).toContainEqual({
      path: 'body.bookingNumber',
      message: 'is required',
    });
    expect(results[5]?.problem?.instance).toBe(`${base()}/bookings/MIX-FACILITY`);

    // Each problem is the very one the PUT answers for the same item.
    const viaPut = await api().put(`${base()}/bookings/MIX-FACILITY`, {
      key: county.jail,
      body: bookingBody({ facilityId: 'no-such-jail' }),
    });
    expect(viaPut.body).toEqual(results[5]?.problem);

    expect((await readBooking('MIX-NEW-1')).status).toBe(200);
    expect((await readBooking('MIX-NEW-2')).status).toBe(200);
    expect((await readBooking('MIX-UPD')).body.person.firstName).toBe('Alexis');
    expect((await readBooking('MIX-REL')).body.person.firstName).toBe('Alex');
    for (const refused of ['MIX-SHAPE', 'MIX-UNKNOWN-FIELD', 'MIX-FACILITY', 'MIX-FUTURE', 'MIX-DOB']) {
      expect((await readBooking(refused)).status, refused).toBe(404);
    }

    // Replayed: the written ones answer as repeated PUTs (200), the refused ones the same problems.
    const replay = await batch(bookings);
    expect(replay.map((result) => result.status)).toEqual([
      200, 400, 400, 400, 400, 422, 422, 200, 409, 422, 200,
    ]);
  });

  it('writes the same audit events per booking as the PUT', async () => {
    const body = bookingBody();
    const changed = bookingBody({ person: { firstName: 'Sam', lastName: 'Doe', dateOfBirth: '1990-04-01' } });
    for (const sent of [body, changed, changed]) {
      const response = await api().put(`${base()}/bookings/AUD-PUT`, { key: county.jail, body: sent });
      expect(response.status, response.text).toBeLessThan(300);
    }
    for (const sent of [body, changed, changed]) {
      await batch([{ bookingNumber: 'AUD-BATCH', ...sent }]);
    }
    const events = await auditEvents();
    const types = (number: string) => eventsOf(events, number).map((event) => event.type);
    expect(types('AUD-PUT')).toEqual(['booking.recorded', 'booking.updated']);
    expect(types('AUD-BATCH')).toEqual(types('AUD-PUT'));
  });

  it('takes one booking number twice in a batch as two PUTs in turn', async () => {
    const results = await batch([
      item('TWICE'),
      item('TWICE', { person: { firstName: 'Second', lastName: 'Doe', dateOfBirth: '1990-04-01' } }),
    ]);
    expect(results.map((result) => result.status)).toEqual([201, 200]);
    expect((await readBooking('TWICE')).body.person.firstName).toBe('Second');
  });

  it('keeps to its own county: another county\u2019s key gets 404, another role 403, nothing written', async () => {
    const bookings = [item('ISO-1')];
    expectProblem(await postBatch(bookings, foreign.jail), 404, 'not-found');
    expectProblem(await postBatch(bookings, county.admin), 403, 'forbidden');
    expectProblem(await postBatch(bookings, county.liaison), 403, 'forbidden');
    // The foreign jail on its own county with this county's facility id: its own county's rules.
    const own = await postBatch([item('ISO-1')], foreign.jail, foreign.tenantId);
    expect(own.status).toBe(200);
    expect((await readBooking('ISO-1')).status).toBe(404);
    expect((await readBooking('ISO-1', foreign)).status).toBe(200);
  });

  it('takes bodies past the 64 KiB of single calls, up to 1 MiB (413 beyond)', {
    timeout: HEAVY_MS,
  }, async () => {
    const heavy = numbers('BIG', 500).map((number) =>
      item(number, {
        charges: Array.from({ length: 10 }, (_, index) => ({
          code: `C${index}`,
          description: 'x'.repeat(180),
        })),
      }),
    );
    const response = await postBatch(heavy);
    expectProblem(response, 413, 'payload-too-large');
    const fitting = heavy.slice(0, 250);
    expect(JSON.stringify({ bookings: fitting }).length).toBeGreaterThan(64 * 1024);
    expect((await batch(fitting)).every((result) => result.status === 201)).toBe(true);
  });

  it('syncs 1,000 bookings in two batches (timed, not gated)', { timeout: HEAVY_MS }, async () => {
    const all = numbers('SYNC', 1000).map((number) => item(number));
    const started = performance.now();
    const first = await batch(all.slice(0, 500));
    const second = await batch(all.slice(500));
    const seconds = (performance.now() - started) / 1000;
    console.info(`bookings:batch: 1,000 bookings in two batches of 500 took ${seconds.toFixed(2)} s`);
    expect([...first, ...second].map((result) => result.status)).toEqual(all.map(() => 201));
    expect([...first, ...second].map((result) => result.bookingNumber)).toEqual(
      all.map((booking) => booking.bookingNumber),
    );
    expect((await readBooking('SYNC-0999')).status).toBe(200);
  });

  it('is in the OpenAPI document: items are the PUT body with bookingNumber, 1 to 500, results per item', async () => {
    type Schema = Record<string, unknown>;
    const response = await api().get<{
      paths: Record<string, Record<string, Schema>>;
      components: { schemas: Record<string, Schema> };
    }>('/v1/openapi.json');
    expect(response.status).toBe(200);
    const { paths, components } = response.body;
    const post = paths['/v1/tenants/{tenantId}/bookings:batch']?.post as Schema;
    expect(post['x-roles']).toEqual(['jail-system']);
    const body = (post.requestBody as { content: Record<string, { schema: Schema }> }).content[
      'application/json'
    ];
    expect(body?.schema).toEqual({ $ref: '#/components/schemas/BookingBatch' });
    const bookings = (components.schemas.BookingBatch?.properties as Record<string, Schema> | undefined)
      ?.bookings;
    expect(bookings).toMatchObject({
      minItems: 1,
      maxItems: 500,
      items: { $ref: '#/components/schemas/BatchBooking' },
    });
    const item = components.schemas.BatchBooking as {
      properties: Record<string, unknown>;
      required: string[];
    };
    const putBody = components.schemas.PutBooking as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(item.properties).toEqual({ ...putBody.properties, bookingNumber: expect.any(Object) });
    expect(item.required.sort()).toEqual([...putBody.required, 'bookingNumber'].sort());
    const ok = (post.responses as Record<string, { content: Record<string, { schema: Schema }> }>)['200'];
    expect(ok?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/BookingBatchResults',
    });
  });
});
