import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main as runJailVendorExample } from '../../examples/jail-vendor.ts';
import { tenantKeys } from '../../shared/store/keys.ts';
import { type CallerRole, expectRoles, keysOf } from '../support/access.ts';
import { type County, onboardCounty } from '../support/custody.ts';
import { expectProblem, issueKey } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { TEST_START, useRuntime } from '../support/runtime.ts';

/** Custody records: bookings and warrants. The test clock stands at 2026-11-24T03:00:00Z. */

const runtime = useRuntime();
const api = () => new ApiClient(runtime().url);

let county: County;
let foreign: County;
let keys: Record<CallerRole, string>;
const base = () => `/v1/tenants/${county.tenantId}`;

beforeAll(async () => {
  county = await onboardCounty(runtime(), 'custody-a-fl');
  foreign = await onboardCounty(runtime(), 'custody-b-fl');
  keys = keysOf(county, runtime().adminKey);
});

// Some tests move the clock; every test starts from the same instant.
beforeEach(() => {
  runtime().clock.set(TEST_START);
});

const bookingBody = (overrides: Record<string, unknown> = {}) => ({
  facilityId: county.facilityId,
  bookedAt: '2026-11-23T22:15:00Z',
  person: { firstName: 'Alex', lastName: 'Doe', dateOfBirth: '1990-04-01' },
  ...overrides,
});

const putBooking = (bookingNumber: string, body: unknown, key = county.jail) =>
  api().put(`${base()}/bookings/${bookingNumber}`, { key, body });

const readBooking = (bookingNumber: string) =>
  api().get(`${base()}/bookings/${bookingNumber}`, { key: county.admin });

async function book(bookingNumber: string) {
  const response = await putBooking(bookingNumber, bookingBody());
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const warrantBody = (warrantId: string, bookingNumber: string, overrides: Record<string, unknown> = {}) => ({
  warrantId,
  form: 'I-200',
  issuedAt: '2026-11-23T23:00:00Z',
  issuingOfficer: 'SDDO J. Smith',
  fieldOffice: 'Miami',
  bookingNumber,
  ...overrides,
});

const postWarrant = (body: unknown, key = county.liaison, headers: Record<string, string> = {}) =>
  api().post(`${base()}/warrants`, { key, body, headers });

const readWarrant = (warrantId: string) =>
  api().get(`${base()}/warrants/${warrantId}`, { key: county.admin });

describe('bookings', () => {
  it('creates a booking with PUT (201, IN_CUSTODY) and updates it with the same PUT (200)', async () => {
    const full = bookingBody({
      agencyOri: 'FL0520000',
      scheduledReleaseAt: '2026-12-01T15:00:00Z',
      person: {
        firstName: 'Alex',
        lastName: 'Doe',
        dateOfBirth: '1990-04-01',
        fbiNumber: '123456AB7',
        stateId: 'FL-998877',
      },
      charges: [{ code: '316.193', description: 'DUI' }],
    });
    const created = await putBooking('BK-100', full);
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('location')).toBe(`${base()}/bookings/BK-100`);
    expect(created.body).toEqual({
      bookingNumber: 'BK-100',
      ...full,
      status: 'IN_CUSTODY',
      createdAt: '2026-11-24T03:00:00Z',
      updatedAt: '2026-11-24T03:00:00Z',
      version: 1,
    });
    expect((await readBooking('BK-100')).body).toEqual(created.body);

    // The PUT replaces the jail's fields: the ones left out are gone, charges default to none.
    runtime().clock.advance(60_000);
    const updated = await putBooking('BK-100', bookingBody({ bookedAt: '2026-11-23T22:20:00Z' }));
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body).toEqual({
      bookingNumber: 'BK-100',
      ...bookingBody({ bookedAt: '2026-11-23T22:20:00Z' }),
      charges: [],
      status: 'IN_CUSTODY',
      createdAt: '2026-11-24T03:00:00Z',
      updatedAt: '2026-11-24T03:01:00Z',
      version: 2,
    });
    expect((await readBooking('BK-100')).body).toEqual(updated.body);
  });

  it('never touches status, openHoldId or releasedAt, and refuses a RELEASED booking with 409', async () => {
    await book('BK-101');
    // What the hold engine and release do to the item; the PUT must leave both alone.
    const { db } = runtime().deps;
    const key = tenantKeys.booking(county.tenantId, 'BK-101');
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: key,
        UpdateExpression: 'SET openHoldId = :hold',
        ExpressionAttributeValues: { ':hold': '01JHOLDHOLDHOLDHOLDHOLDHOL' },
      }),
    );
    const updated = await putBooking('BK-101', bookingBody({ charges: [{ code: 'X', description: 'Y' }] }));
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      status: 'IN_CUSTODY',
      openHoldId: '01JHOLDHOLDHOLDHOLDHOLDHOL',
      version: 2,
    });

    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: key,
        UpdateExpression: 'SET #status = :released, releasedAt = :at REMOVE openHoldId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':released': 'RELEASED', ':at': '2026-11-24T02:00:00Z' },
      }),
    );
    const refused = await putBooking('BK-101', bookingBody());
    expectProblem(refused, 409, 'booking-released');
    const { Item } = await db.doc.send(new GetCommand({ TableName: db.tableName, Key: key }));
    expect(Item).toMatchObject({ status: 'RELEASED', releasedAt: '2026-11-24T02:00:00Z', version: 2 });
    expect(Item?.charges).toEqual([{ code: 'X', description: 'Y' }]);
  });

  it('answers 422 facility-not-found for a facility the county does not have, and writes nothing', async () => {
    // Both counties call their facility main-jail: a facility id only means something within its county.
    const response = await putBooking('BK-102', bookingBody({ facilityId: 'west-annex' }));
    expectProblem(response, 422, 'facility-not-found');
    expectProblem(await readBooking('BK-102'), 404, 'not-found');
  });

  it('answers 422 for a booking time or a date of birth in the future (2 minutes of clock skew allowed)', async () => {
    expectProblem(
      await putBooking('BK-103', bookingBody({ bookedAt: '2026-11-24T03:02:01Z' })),
      422,
      'booked-at-in-future',
    );
    const future = { firstName: 'A', lastName: 'B', dateOfBirth: '2026-11-25' };
    expectProblem(
      await putBooking('BK-103', bookingBody({ person: future })),
      422,
      'date-of-birth-in-future',
    );
    expectProblem(await readBooking('BK-103'), 404);
    const skewed = await putBooking('BK-103', bookingBody({ bookedAt: '2026-11-24T03:02:00Z' }));
    expect(skewed.status, skewed.text).toBe(201);
  });

  it('has no place for citizenship, alienage, nationality, birthplace or immigration status', async () => {
    const forbidden = {
      citizenship: 'unknown',
      nationality: 'X',
      countryOfBirth: 'X',
      alienNumber: 'A123456789',
      immigrationStatus: 'X',
    };
    const inPerson = await putBooking(
      'BK-104',
      bookingBody({ person: { ...bookingBody().person, ...forbidden } }),
    );
    expectProblem(inPerson, 400, 'validation-error');
    expect(
      (inPerson.body as { errors: { path: string }[] }).errors.map((error) => error.path).sort(),
    ).toEqual(
      Object.keys(forbidden)
        .map((name) => `body.person.${name}`)
        .sort(),
    );
    const topLevel = await putBooking('BK-104', {
      ...bookingBody(),
      immigrationStatus: 'X',
      placeOfBirth: 'X',
    });
    expectProblem(topLevel, 400, 'validation-error');
    const inCharge = await putBooking(
      'BK-104',
      bookingBody({ charges: [{ code: '8 USC 1325', description: 'x', alienage: true }] }),
    );
    expectProblem(inCharge, 400, 'validation-error');
    expectProblem(await readBooking('BK-104'), 404);
  });

  it('validates formats: RFC 3339 UTC times, the ORI, the FBI number, the booking number', async () => {
    const cases: [string, unknown][] = [
      ['body.bookedAt', bookingBody({ bookedAt: '2026-11-23T22:15:00-05:00' })],
      ['body.agencyOri', bookingBody({ agencyOri: 'fl052' })],
      ['body.person.fbiNumber', bookingBody({ person: { ...bookingBody().person, fbiNumber: '12-34' } })],
      [
        'body.person.dateOfBirth',
        bookingBody({ person: { ...bookingBody().person, dateOfBirth: '01/04/1990' } }),
      ],
      ['body.charges.0.code', bookingBody({ charges: [{ code: '', description: 'x' }] })],
    ];
    for (const [path, body] of cases) {
      const response = await putBooking('BK-105', body);
      expectProblem(response, 400);
      expect((response.body as { errors: { path: string }[] }).errors.map((error) => error.path)).toEqual([
        path,
      ]);
    }
    expectProblem(await putBooking('BK%23105', bookingBody()), 400);
    expectProblem(await putBooking('BK-105', undefined), 400);
    expectProblem(await readBooking('BK-105'), 404);
  });

  it('allows the PUT to jail-system only and reading to county-admin, jail-system and ice-liaison', async () => {
    await expectRoles(keys, ['jail-system'], (key, role) =>
      putBooking(`BK-role-${role}`, bookingBody(), key),
    );
    await book('BK-106');
    await expectRoles(keys, ['county-admin', 'jail-system', 'ice-liaison'], (key) =>
      api().get(`${base()}/bookings/BK-106`, { key }),
    );
  });

  it('hides bookings from other counties\u2019 keys (404) and answers 404 for an unknown number', async () => {
    await book('BK-107');
    expectProblem(await putBooking('BK-107', bookingBody(), foreign.jail), 404, 'not-found');
    expectProblem(await api().get(`${base()}/bookings/BK-107`, { key: foreign.jail }), 404, 'not-found');
    expect((await readBooking('BK-107')).body).toMatchObject({ version: 1 });
    expectProblem(await readBooking('BK-unknown'), 404, 'not-found');
  });
});

describe('warrants', () => {
  it('records a warrant (201, RECEIVED) that the county, the jail and ICE can read', async () => {
    await book('BK-200');
    const recorded = await postWarrant(warrantBody('W-200', 'BK-200'));
    expect(recorded.status, recorded.text).toBe(201);
    expect(recorded.headers.get('location')).toBe(`${base()}/warrants/W-200`);
    expect(recorded.body).toEqual({
      ...warrantBody('W-200', 'BK-200'),
      status: 'RECEIVED',
      receivedAt: '2026-11-24T03:00:00Z',
      updatedAt: '2026-11-24T03:00:00Z',
      version: 1,
    });
    expect((await readWarrant('W-200')).body).toEqual(recorded.body);
  });

  it('answers 409 warrant-exists for a warrant id already recorded', async () => {
    await book('BK-201');
    expect((await postWarrant(warrantBody('W-201', 'BK-201'))).status).toBe(201);
    const again = await postWarrant(warrantBody('W-201', 'BK-201', { form: 'I-205' }), county.jail);
    expectProblem(again, 409, 'warrant-exists');
    expect((await readWarrant('W-201')).body).toMatchObject({ form: 'I-200' });
  });

  it('answers 422 booking-not-found for a booking this county does not have, even one of another county', async () => {
    const foreignBooking = await foreign.api.put(`/v1/tenants/${foreign.tenantId}/bookings/BK-FOREIGN`, {
      key: foreign.jail,
      body: { ...bookingBody(), facilityId: foreign.facilityId },
    });
    expect(foreignBooking.status).toBe(201);
    expectProblem(await postWarrant(warrantBody('W-202', 'BK-FOREIGN')), 422, 'booking-not-found');
    expectProblem(await postWarrant(warrantBody('W-202', 'BK-NOBODY')), 422, 'booking-not-found');
    expectProblem(await readWarrant('W-202'), 404);
  });

  it('answers 422 issued-at-in-future beyond 2 minutes of clock skew', async () => {
    await book('BK-203');
    const late = await postWarrant(warrantBody('W-203', 'BK-203', { issuedAt: '2026-11-24T03:02:01Z' }));
    expectProblem(late, 422, 'issued-at-in-future');
    expectProblem(await readWarrant('W-203'), 404);
    const skewed = await postWarrant(warrantBody('W-203', 'BK-203', { issuedAt: '2026-11-24T03:02:00Z' }));
    expect(skewed.status, skewed.text).toBe(201);
  });

  it('accepts only the I-200 and I-205 forms, and rejects unknown fields with 400 writing nothing', async () => {
    await book('BK-204');
    expectProblem(
      await postWarrant(warrantBody('W-204', 'BK-204', { form: 'I-247A' })),
      400,
      'validation-error',
    );
    const unknown = await postWarrant({ ...warrantBody('W-204', 'BK-204'), countryOfCitizenship: 'X' });
    expectProblem(unknown, 400, 'validation-error');
    expect((unknown.body as { errors: unknown[] }).errors).toEqual([
      { path: 'body.countryOfCitizenship', message: 'is not a known field' },
    ]);
    expectProblem(await postWarrant(warrantBody('W-204', 'BK-204', { issuedAt: 'yesterday' })), 400);
    expectProblem(await readWarrant('W-204'), 404);
  });

  it('replays a retried recording with the same Idempotency-Key and refuses the key with another body', async () => {
    await book('BK-205');
    const headers = { 'idempotency-key': 'warrant-W-205' };
    const first = await postWarrant(warrantBody('W-205', 'BK-205'), county.jail, headers);
    const second = await postWarrant(warrantBody('W-205', 'BK-205'), county.jail, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await postWarrant(warrantBody('W-205b', 'BK-205'), county.jail, headers);
    expectProblem(other, 422, 'idempotency-key-reused');
    expectProblem(await readWarrant('W-205b'), 404);
  });

  it('allows recording to ice-liaison and jail-system, and reading to county-admin, ice-liaison and jail-system', async () => {
    await book('BK-206');
    await expectRoles(keys, ['ice-liaison', 'jail-system'], (key, role) =>
      postWarrant(warrantBody(`W-206-${role}`, 'BK-206'), key),
    );
    await expectRoles(keys, ['county-admin', 'ice-liaison', 'jail-system'], (key) =>
      api().get(`${base()}/warrants/W-206-jail-system`, { key }),
    );
  });

  it('hides warrants from other counties\u2019 keys (404) and answers 404 for an unknown id', async () => {
    await book('BK-207');
    expect((await postWarrant(warrantBody('W-207', 'BK-207'))).status).toBe(201);
    expectProblem(await postWarrant(warrantBody('W-207x', 'BK-207'), foreign.liaison), 404, 'not-found');
    expectProblem(await api().get(`${base()}/warrants/W-207`, { key: foreign.admin }), 404, 'not-found');
    expectProblem(await readWarrant('W-207x'), 404);
    expectProblem(await readWarrant('W-unknown'), 404, 'not-found');
  });
});

describe('the jail-vendor example', () => {
  it('runs against the platform: books a person, records a warrant and lists the officers', async () => {
    const lines: string[] = [];
    const result = await runJailVendorExample({
      baseUrl: runtime().url,
      adminKey: runtime().adminKey,
      tenantId: 'example-county-fl',
      now: () => runtime().clock.now(),
      log: (line) => lines.push(line),
    });
    expect(result.officerIds).toEqual(['wso-dana-reyes']);
    const reader = await issueKey(api(), runtime().adminKey, 'example-county-fl', 'county-admin');
    const booking = await api().get(`/v1/tenants/example-county-fl/bookings/${result.bookingNumber}`, {
      key: reader.apiKey,
    });
    expect(booking.body).toMatchObject({ status: 'IN_CUSTODY', facilityId: 'main-jail' });
    const warrant = await api().get(`/v1/tenants/example-county-fl/warrants/${result.warrantId}`, {
      key: reader.apiKey,
    });
    expect(warrant.body).toMatchObject({ status: 'RECEIVED', bookingNumber: result.bookingNumber });
    expect(lines).toContain(`PUT /v1/tenants/example-county-fl/bookings/${result.bookingNumber} -> 201`);
    expect(lines).toContain('POST /v1/tenants/example-county-fl/warrants -> 201');

    // Run again, as a vendor would: everything that exists is accepted, a new booking is made.
    runtime().clock.advance(1_000);
    const again = await runJailVendorExample({
      baseUrl: runtime().url,
      adminKey: runtime().adminKey,
      tenantId: 'example-county-fl',
      now: () => runtime().clock.now(),
      log: () => undefined,
    });
    expect(again.bookingNumber).not.toBe(result.bookingNumber);
  });
});
