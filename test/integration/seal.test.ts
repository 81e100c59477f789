import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Hold } from '../../shared/domain/hold.ts';
import { type County, onboardCounty, stateAuditorKey } from '../support/custody.ts';
import { expectProblem } from '../support/fixtures.ts';
import { apiSurfaces, distinctivePerson, leaks, tableText } from '../support/person-data.ts';
import { TEST_START, useRuntime } from '../support/runtime.ts';

/**
 * Issue 17 item 2: sealing a booking (POST .../bookings/{n}/seal) through the API, on the virtual
 * clock (2026-11-24T03:00:00Z): refused while a hold is open; afterwards no person data anywhere the
 * API reaches or the table holds; figures and `verify` unchanged.
 */
const runtime = useRuntime();

let county: County;
let foreign: County;
let stateKey: string;
const base = () => `/v1/tenants/${county.tenantId}`;
let numbers = 0;

beforeAll(async () => {
  county = await onboardCounty(runtime(), 'seal-a-fl');
  foreign = await onboardCounty(runtime(), 'seal-b-fl');
  stateKey = await stateAuditorKey(runtime(), 'FL');
});

beforeEach(() => {
  runtime().clock.set(TEST_START);
});

const seal = (
  bookingNumber: string,
  body: unknown = { reason: 'COURT_ORDER', orderReference: 'CV-2026-0117' },
  key = county.admin,
) => county.api.post(`${base()}/bookings/${bookingNumber}/seal`, { key, body });

/** Books a distinctive person with an Idempotency-Key (so a replayable copy exists). */
async function book(tag: string) {
  const bookingNumber = `SEAL-${++numbers}`;
  const data = distinctivePerson(tag);
  const body = {
    facilityId: county.facilityId,
    bookedAt: '2026-11-23T20:00:00Z',
    person: data.person,
    charges: data.charges,
  };
  const headers = { 'idempotency-key': `put-${bookingNumber}` };
  const put = await county.api.put(`${base()}/bookings/${bookingNumber}`, {
    key: county.jail,
    body,
    headers,
  });
  expect(put.status, put.text).toBe(201);
  const replay = () =>
    county.api.put(`${base()}/bookings/${bookingNumber}`, { key: county.jail, body, headers });
  return { bookingNumber, values: data.values, body, replay };
}

async function serve(bookingNumber: string): Promise<Hold> {
  const warrantId = `W-${bookingNumber}`;
  const warrant = await county.api.post(`${base()}/warrants`, {
    key: county.liaison,
    body: {
      warrantId,
      form: 'I-200',
      issuedAt: '2026-11-23T21:00:00Z',
      issuingOfficer: 'SDDO Smith',
      fieldOffice: 'Miami',
      bookingNumber,
    },
  });
  expect(warrant.status, warrant.text).toBe(201);
  const served = await county.api.post<Hold>(`${base()}/holds`, {
    key: county.officerKey,
    body: { warrantId, bookingNumber, officerId: county.officerId, servedAt: '2026-11-24T01:00:00Z' },
  });
  expect(served.status, served.text).toBe(201);
  return served.body;
}

const drain = async () => {
  for (let round = 0; round < 20 && (await runtime().drainStreams()) > 0; round++);
};

const verify = async () => {
  const response = await county.api.get<{ ok: boolean; firstBroken?: unknown }>(`${base()}/audit/verify`, {
    key: county.admin,
  });
  expect(response.status, response.text).toBe(200);
  return response.body;
};

const report = async () => {
  const response = await county.api.get('/v1/oversight/states/FL/report?from=2026-11&to=2026-12', {
    key: stateKey,
  });
  expect(response.status, response.text).toBe(200);
  return response.body;
};

describe('POST /bookings/{n}/seal', () => {
  it('is refused while a hold is open; after the hold closes it removes the person data everywhere', async () => {
    const booked = await book('A');
    const hold = await serve(booked.bookingNumber);
    await drain();

    const refused = await seal(booked.bookingNumber);
    expectProblem(refused, 409, 'open-hold-exists');
    const stillThere = await county.api.get(`${base()}/bookings/${booked.bookingNumber}`, {
      key: county.admin,
    });
    expect(stillThere.body.person).toEqual(booked.body.person);
    // While open, the hold board shows the booking number, never the person.
    expect(
      leaks(await apiSurfaces(county, stateKey, booked.bookingNumber, hold.holdId), booked.values),
    ).toEqual(['booking']);

    const transferred = await county.api.post(`${base()}/holds/${hold.holdId}/transfer`, {
      key: county.liaison,
      body: { transferredAt: '2026-11-24T02:00:00Z', receivingOfficer: 'DO Lane' },
    });
    expect(transferred.status, transferred.text).toBe(200);
    await drain();
    const figuresBefore = await report();
    expect((await verify()).ok).toBe(true);
    // The table holds the person twice before the seal: the booking and the PUT's idempotency record.
    expect(leaks(await tableText(runtime()), booked.values)).toHaveLength(2);

    const sealed = await seal(booked.bookingNumber);
    expect(sealed.status, sealed.text).toBe(200);
    expect(sealed.body).toEqual({
      bookingNumber: booked.bookingNumber,
      facilityId: county.facilityId,
      bookedAt: '2026-11-23T20:00:00Z',
      status: 'RELEASED',
      releasedAt: '2026-11-24T02:00:00Z',
      releaseReason: 'TRANSFERRED_TO_ICE',
      sealed: { at: '2026-11-24T03:00:00Z', reason: 'COURT_ORDER', orderReference: 'CV-2026-0117' },
      createdAt: expect.any(String),
      updatedAt: '2026-11-24T03:00:00Z',
      version: expect.any(Number),
    });
    await drain();

    // Nothing the API answers carries the person any more, and no item of the table does.
    const surfaces = await apiSurfaces(county, stateKey, booked.bookingNumber, hold.holdId);
    expect(leaks(surfaces, booked.values)).toEqual([]);
    expect(JSON.parse(surfaces.booking ?? '{}')).toEqual(sealed.body);
    // The PUT's idempotent replay no longer answers with the person: it runs again and is refused.
    const replayed = await booked.replay();
    expect(replayed.headers.get('idempotent-replayed')).toBeNull();
    expectProblem(replayed, 409, 'booking-released');
    expect(leaks([replayed.text], booked.values)).toEqual([]);
    expect(leaks(await tableText(runtime()), booked.values)).toEqual([]);

    // The seal is the booking chain's next audit event, without values; figures and verify unchanged.
    const events = await county.api.get<{ items: Record<string, unknown>[] }>(
      `${base()}/audit/events?limit=100`,
      { key: county.admin },
    );
    const sealEvent = events.body.items.find((event) => event.type === 'booking.sealed');
    expect(sealEvent).toMatchObject({
      subject: { kind: 'booking', id: booked.bookingNumber },
      actor: { kind: 'credential', role: 'county-admin' },
      changed: [
        'person.dateOfBirth',
        'person.fbiNumber',
        'person.firstName',
        'person.lastName',
        'person.stateId',
        'charges',
      ],
    });
    expect(await report()).toEqual(figuresBefore);
    expect(await verify()).toMatchObject({ ok: true });

    // Sealing again answers the sealed booking as it is (the first order stays on record).
    const again = await seal(booked.bookingNumber, { reason: 'EXPUNGEMENT', orderReference: 'X-2' });
    expect(again.status, again.text).toBe(200);
    expect(again.body).toEqual(sealed.body);
  });

  it('seals a booking in custody without a hold; a later PUT may not bring the person back (409 booking-sealed)', async () => {
    const booked = await book('B');
    const sealed = await seal(booked.bookingNumber, { reason: 'EXPUNGEMENT', orderReference: 'EXP-77' });
    expect(sealed.status, sealed.text).toBe(200);
    expect(sealed.body).toMatchObject({ status: 'IN_CUSTODY', sealed: { reason: 'EXPUNGEMENT' } });
    expect(sealed.body).not.toHaveProperty('person');

    const put = await county.api.put(`${base()}/bookings/${booked.bookingNumber}`, {
      key: county.jail,
      body: booked.body,
    });
    expectProblem(put, 409, 'booking-sealed');
    // Nor through the idempotency record of the first PUT.
    expectProblem(await booked.replay(), 409, 'booking-sealed');
    expect(leaks(await tableText(runtime()), booked.values)).toEqual([]);
    expect((await verify()).ok).toBe(true);

    // The sealed booking is still released as any other: the release needs no person data.
    const released = await county.api.post(`${base()}/bookings/${booked.bookingNumber}/release`, {
      key: county.jail,
      body: { releasedAt: '2026-11-24T02:30:00Z' },
    });
    expect(released.status, released.text).toBe(200);
    expect((await verify()).ok).toBe(true);
  });

  it('also removes the copy a NIEM upsert keeps for its idempotent replay', async () => {
    const message = readFileSync(new URL('../fixtures/niem/booking.xml', import.meta.url), 'utf8');
    const ingest = () =>
      county.api.post(`${base()}/bookings:niem`, {
        key: county.jail,
        rawBody: message,
        headers: { 'content-type': 'application/xml', 'idempotency-key': 'niem-seal-1' },
      });
    const first = await ingest();
    expect(first.status, first.text).toBe(201);
    const stored = first.body.booking as { bookingNumber: string; person: Record<string, string> };
    const values = [stored.person.firstName, stored.person.lastName, stored.person.dateOfBirth] as string[];
    expect((await ingest()).headers.get('idempotent-replayed')).toBe('true');
    expect(leaks(await tableText(runtime()), values).length).toBeGreaterThan(0);

    expect((await seal(stored.bookingNumber)).status).toBe(200);
    const replayed = await ingest();
    expectProblem(replayed, 409, 'booking-sealed');
    expect(leaks(await tableText(runtime()), values)).toEqual([]);
  });

  it('validates the body, answers 404 for an unknown booking, and only a county-admin of the county may seal', async () => {
    const booked = await book('C');
    for (const body of [
      {},
      { reason: 'COURT_ORDER' },
      { reason: 'BECAUSE', orderReference: 'x' },
      { reason: 'OTHER', orderReference: '' },
      { reason: 'OTHER', orderReference: 'x', note: 'unknown field' },
    ]) {
      expectProblem(await seal(booked.bookingNumber, body), 400, 'validation-error');
    }
    expectProblem(await seal('NO-SUCH-BOOKING'), 404, 'not-found');
    expectProblem(await seal(booked.bookingNumber, undefined, county.jail), 403, 'forbidden');
    expectProblem(await seal(booked.bookingNumber, undefined, foreign.admin), 404, 'not-found');
    const untouched = await county.api.get(`${base()}/bookings/${booked.bookingNumber}`, {
      key: county.admin,
    });
    expect(untouched.body.person).toEqual(booked.body.person);
  });
});
