import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hold } from '../../shared/domain/hold.ts';
import { purgeExpiredPersonData } from '../../shared/lifecycle/retention-purge-job.ts';
import { noopMetrics, setCustodyMetrics } from '../../shared/observability/metrics.ts';
import { type County, onboardCounty, stateAuditorKey } from '../support/custody.ts';
import { expectProblem } from '../support/fixtures.ts';
import { apiSurfaces, distinctivePerson, leaks, tableText } from '../support/person-data.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * Issue 17 item 3: a county's retention period (PATCH /v1/tenants/{t} `retention`) and the daily
 * purge of person data of bookings released longer ago, through the API on the virtual clock
 * (which starts at 2026-11-24T03:00:00Z; the daily jobs run at 09:00 UTC).
 */
const runtime = useRuntime();
const DAY_MS = 86_400_000;

let county: County;
let keeper: County;
let stateKey: string;
let numbers = 0;

beforeAll(async () => {
  county = await onboardCounty(runtime(), 'purge-a-fl');
  keeper = await onboardCounty(runtime(), 'purge-b-fl');
  stateKey = await stateAuditorKey(runtime(), 'FL');
});

afterEach(() => {
  setCustodyMetrics(undefined);
});

const patchRetention = (target: County, retention: unknown) =>
  target.api.patch(`/v1/tenants/${target.tenantId}`, { key: target.admin, body: { retention } });

const advance = async (advanceBy: string) => {
  const response = await county.api.post('/_local/clock', { body: { advanceBy } });
  expect(response.status, response.text).toBe(200);
};

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const now = () => runtime().clock.now().getTime();

async function book(target: County, tag: string) {
  const bookingNumber = `PURGE-${++numbers}`;
  const data = distinctivePerson(tag);
  const body = {
    facilityId: target.facilityId,
    bookedAt: iso(now() - 3 * 3_600_000),
    person: data.person,
    charges: data.charges,
  };
  const put = await target.api.put(`/v1/tenants/${target.tenantId}/bookings/${bookingNumber}`, {
    key: target.jail,
    body,
    headers: { 'idempotency-key': `put-${bookingNumber}` },
  });
  expect(put.status, put.text).toBe(201);
  return { bookingNumber, values: data.values, person: data.person };
}

async function release(target: County, bookingNumber: string, releasedAt = iso(now() - 3_600_000)) {
  const released = await target.api.post(`/v1/tenants/${target.tenantId}/bookings/${bookingNumber}/release`, {
    key: target.jail,
    body: { releasedAt },
  });
  expect(released.status, released.text).toBe(200);
}

async function serveAndTransfer(target: County, bookingNumber: string): Promise<Hold> {
  const base = `/v1/tenants/${target.tenantId}`;
  const warrantId = `W-${bookingNumber}`;
  const warrant = await target.api.post(`${base}/warrants`, {
    key: target.liaison,
    body: {
      warrantId,
      form: 'I-205',
      issuedAt: iso(now() - 2 * 3_600_000),
      issuingOfficer: 'SDDO Smith',
      fieldOffice: 'Miami',
      bookingNumber,
    },
  });
  expect(warrant.status, warrant.text).toBe(201);
  const served = await target.api.post<Hold>(`${base}/holds`, {
    key: target.officerKey,
    body: { warrantId, bookingNumber, officerId: target.officerId, servedAt: iso(now() - 2 * 3_600_000) },
  });
  expect(served.status, served.text).toBe(201);
  const transferred = await target.api.post(`${base}/holds/${served.body.holdId}/transfer`, {
    key: target.liaison,
    body: { transferredAt: iso(now() - 1_800_000), receivingOfficer: 'DO Lane' },
  });
  expect(transferred.status, transferred.text).toBe(200);
  return served.body;
}

const readBooking = async (target: County, bookingNumber: string) => {
  const response = await target.api.get(`/v1/tenants/${target.tenantId}/bookings/${bookingNumber}`, {
    key: target.admin,
  });
  expect(response.status, response.text).toBe(200);
  return response.body;
};

const verify = async (target: County) => {
  const response = await target.api.get<{ ok: boolean }>(`/v1/tenants/${target.tenantId}/audit/verify`, {
    key: target.admin,
  });
  expect(response.status, response.text).toBe(200);
  return response.body;
};

const report = async () => {
  const response = await county.api.get('/v1/oversight/states/FL/report?from=2026-11&to=2026-12', {
    key: stateKey,
  });
  expect(response.status, response.text).toBe(200);
  // The figures, without the time the report was made (the clock moved on).
  const { generatedAt: _generatedAt, ...figures } = response.body;
  return figures;
};

const drain = async () => {
  for (let round = 0; round < 20 && (await runtime().drainStreams()) > 0; round++);
};

describe('PATCH /v1/tenants/{t} retention', () => {
  it('takes whole days from 1 to 36525, null removes it, and anything else is a 400 that changes nothing', async () => {
    for (const retention of [
      {},
      { personDataDaysAfterRelease: 0 },
      { personDataDaysAfterRelease: 1.5 },
      { personDataDaysAfterRelease: '30' },
      { personDataDaysAfterRelease: 36_526 },
      { personDataDaysAfterRelease: 30, purgeCharges: true },
    ]) {
      expectProblem(await patchRetention(county, retention), 400, 'validation-error');
    }
    const set = await patchRetention(county, { personDataDaysAfterRelease: 30 });
    expect(set.status, set.text).toBe(200);
    expect(set.body.retention).toEqual({ personDataDaysAfterRelease: 30 });
    const read = await county.api.get(`/v1/tenants/${county.tenantId}`, { key: county.admin });
    expect(read.body.retention).toEqual({ personDataDaysAfterRelease: 30 });
    const unset = await patchRetention(county, null);
    expect(unset.status, unset.text).toBe(200);
    expect(unset.body).not.toHaveProperty('retention');
    expect((await patchRetention(county, { personDataDaysAfterRelease: 3 })).status).toBe(200);
    expect((await verify(county)).ok).toBe(true);
  });
});

describe('the daily retention purge', () => {
  it('removes person data of bookings released longer ago than the county keeps it, everywhere, once', async () => {
    const counted: [string, string, number][] = [];
    setCustodyMetrics({
      ...noopMetrics,
      dailyJobCount: (job, counter, value) => counted.push([job, counter, value]),
    });
    expect((await patchRetention(county, { personDataDaysAfterRelease: 3 })).status).toBe(200);
    const released = await book(county, 'R');
    await release(county, released.bookingNumber);
    const transferred = await book(county, 'T');
    const hold = await serveAndTransfer(county, transferred.bookingNumber);
    const inCustody = await book(county, 'K');
    const sealedFirst = await book(county, 'S');
    const seal = await county.api.post(
      `/v1/tenants/${county.tenantId}/bookings/${sealedFirst.bookingNumber}/seal`,
      {
        key: county.admin,
        body: { reason: 'OTHER', orderReference: 'ORD-5' },
      },
    );
    expect(seal.status, seal.text).toBe(200);
    await release(county, sealedFirst.bookingNumber);
    // Another county, no retention period: its released booking keeps its person data.
    const elsewhere = await book(keeper, 'E');
    await release(keeper, elsewhere.bookingNumber);
    await drain();
    const figures = await report();
    const gone = [...released.values, ...transferred.values];
    expect(leaks(await tableText(runtime()), gone).length).toBeGreaterThan(0);

    // Two days on (two daily runs): not yet three days since the release.
    await advance('PT48H');
    expect((await readBooking(county, released.bookingNumber)).person).toEqual(released.person);
    expect(counted).toContainEqual(['retention-purge', 'purged', 0]);

    // Four days on: the run of day 4 (09:00) finds both releases older than three days.
    counted.length = 0;
    await advance('PT48H');
    const purgedAt = iso(Date.parse('2026-11-27T09:00:00Z'));
    for (const { bookingNumber } of [released, transferred]) {
      const booking = await readBooking(county, bookingNumber);
      expect(booking).toMatchObject({
        status: 'RELEASED',
        purged: { at: purgedAt, personDataDaysAfterRelease: 3 },
      });
      expect(booking).not.toHaveProperty('person');
      expect(booking).not.toHaveProperty('charges');
    }
    expect(counted).toContainEqual(['retention-purge', 'purged', 2]);
    expect((await readBooking(county, inCustody.bookingNumber)).person).toEqual(inCustody.person);
    expect((await readBooking(keeper, elsewhere.bookingNumber)).person).toEqual(elsewhere.person);
    const sealed = await readBooking(county, sealedFirst.bookingNumber);
    expect(sealed).toHaveProperty('sealed');
    expect(sealed).not.toHaveProperty('purged');

    await drain();
    expect(leaks(await apiSurfaces(county, stateKey, released.bookingNumber, hold.holdId), gone)).toEqual([]);
    expect(leaks(await apiSurfaces(county, stateKey, transferred.bookingNumber, hold.holdId), gone)).toEqual(
      [],
    );
    expect(leaks(await tableText(runtime()), gone)).toEqual([]);
    expect(leaks(await tableText(runtime()), elsewhere.values).length).toBeGreaterThan(0);
    const events = await county.api.get<{ items: Record<string, unknown>[] }>(
      `/v1/tenants/${county.tenantId}/audit/events?limit=100`,
      { key: county.admin },
    );
    expect(events.body.items.filter((event) => event.type === 'booking.purged')).toEqual([
      expect.objectContaining({ actor: { kind: 'system', name: 'retention-purge' } }),
      expect.objectContaining({ actor: { kind: 'system', name: 'retention-purge' } }),
    ]);
    expect(await report()).toEqual(figures);
    expect((await verify(county)).ok).toBe(true);
    expect((await verify(keeper)).ok).toBe(true);

    // Idempotent: another run (or another day) purges nothing more and changes nothing.
    const before = await readBooking(county, released.bookingNumber);
    expect(await purgeExpiredPersonData(runtime().deps, runtime().clock.now())).toMatchObject({ purged: 0 });
    counted.length = 0;
    await advance('P1D');
    expect(counted).toContainEqual(['retention-purge', 'purged', 0]);
    expect(await readBooking(county, released.bookingNumber)).toEqual(before);
    expect((await verify(county)).ok).toBe(true);
  });

  it('works in bounded batches: a capped run leaves the rest for the next', async () => {
    const batch = await onboardCounty(runtime(), 'purge-c-fl');
    expect((await patchRetention(batch, { personDataDaysAfterRelease: 1 })).status).toBe(200);
    const booked = [];
    for (const tag of ['V', 'W', 'X', 'Y', 'Z']) {
      const one = await book(batch, tag);
      await release(batch, one.bookingNumber);
      booked.push(one);
    }
    const later = new Date(now() + 2 * DAY_MS);
    const run = (limits: { pageSize: number; perTenant: number; perRun: number }) =>
      purgeExpiredPersonData(runtime().deps, later, limits);
    expect(await run({ pageSize: 2, perTenant: 100, perRun: 1 })).toMatchObject({ purged: 1, capped: 1 });
    expect(await run({ pageSize: 2, perTenant: 3, perRun: 100 })).toMatchObject({ purged: 3, capped: 1 });
    expect(await run({ pageSize: 2, perTenant: 3, perRun: 100 })).toMatchObject({ purged: 1, capped: 0 });
    expect(await run({ pageSize: 2, perTenant: 3, perRun: 100 })).toMatchObject({ purged: 0, capped: 0 });
    for (const one of booked)
      expect(await readBooking(batch, one.bookingNumber)).not.toHaveProperty('person');
    expect(
      leaks(
        await tableText(runtime()),
        booked.flatMap((one) => one.values),
      ),
    ).toEqual([]);
    expect((await verify(batch)).ok).toBe(true);
  });
});
