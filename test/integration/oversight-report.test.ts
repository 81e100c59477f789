import { beforeAll, describe, expect, it } from 'vitest';
import { FLORIDA_COUNTIES, type SeedResult, seedState } from '../../scripts/demo-data.ts';
import type { Hold } from '../../shared/domain/hold.ts';
import { reportCountersConsumer } from '../../shared/reports/report-consumer.ts';
import type { Figures, StateReport } from '../../shared/reports/state-report.ts';
import type { HoldEvent } from '../../shared/store/holds.ts';
import type { ChangeRecord } from '../../shared/streams/change-record.ts';
import { expectProblem } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { RequestCounter } from '../support/request-counter.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * The oversight report against an oracle: hundreds of holds served through the API over four
 * months in three counties (one on Central time, one with IGSA holds), then every figure recomputed
 * here, independently, from the holds read back through the API.
 */
const runtime = useRuntime();
const api = () => new ApiClient(runtime().url);
const HOUR = 3_600_000;
const COUNTIES = [
  { ...FLORIDA_COUNTIES[0], holdsPerMonth: 30 },
  { ...FLORIDA_COUNTIES[1], holdsPerMonth: 22 },
  { ...FLORIDA_COUNTIES[5], holdsPerMonth: 18 },
] as (typeof FLORIDA_COUNTIES)[number][];
const FROM = '2026-08';
const TO = '2026-11';

let seeded: SeedResult;
let holds: Map<string, Hold[]>;

async function drainAll(): Promise<void> {
  // Our own writes (counters, markers, board entries) are stream records too: drain until quiet.
  for (let round = 0; round < 20 && (await runtime().drainStreams()) > 0; round++);
}

async function readAllHolds(tenantId: string, key: string): Promise<Hold[]> {
  const all: Hold[] = [];
  let token: string | undefined;
  do {
    const page = await api().get<{ items: Hold[]; nextToken?: string }>(
      `/v1/tenants/${tenantId}/holds?limit=100${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`,
      { key },
    );
    expect(page.status, page.text).toBe(200);
    all.push(...page.body.items);
    token = page.body.nextToken;
  } while (token);
  return all;
}

const getReport = async (query = `from=${FROM}&to=${TO}`, key = seeded.stateKey) => {
  const response = await api().get<StateReport>(`/v1/oversight/states/FL/report?${query}`, { key });
  expect(response.status, response.text).toBe(200);
  return response.body;
};

// ---- the oracle: written from the definitions, sharing no code with the implementation ----

type Counts = Omit<Figures, 'medianHoursToTransfer' | 'p95HoursToTransfer'>;
interface Bucket {
  counts: Counts;
  overdueSeconds: number;
  durations: number[];
}

const emptyCounts = (): Counts => ({
  warrantsServed: 0,
  holdsOpened: 0,
  transferredInTime: 0,
  transferredLate: 0,
  releasedByDeadline: 0,
  releasedLate: 0,
  overdue: 0,
  overdueMinutes: 0,
  cancelled: 0,
  igsaHolds: 0,
  open: 0,
  reviewsOpen: 0,
  reviewsClosed: 0,
  officersCredentialed: 0,
});

const localMonth = (instant: string | Date, timeZone: string) =>
  new Date(instant).toLocaleDateString('en-CA', { timeZone }).slice(0, 7);

/** The histogram's reporting precision: quarter hours to 48 h, hours to 96 h, 6 h to 14 days. */
function toReportedHours(ms: number): number {
  const hours = ms / HOUR;
  if (hours <= 48) return Math.max(0.25, Math.ceil(hours * 4) / 4);
  if (hours <= 96) return Math.ceil(hours);
  if (hours <= 336) return 96 + Math.ceil((hours - 96) / 6) * 6;
  return 336;
}

function nearestRank(durations: number[], percent: number): number | null {
  if (durations.length === 0) return null;
  const sorted = [...durations].sort((a, b) => a - b);
  return toReportedHours(sorted[Math.ceil((durations.length * percent) / 100) - 1] ?? 0);
}

function expectedFor(countyHolds: Hold[], timeZone: string, now: number, months: string[]) {
  const byMonth = new Map(
    months.map((month) => [month, { counts: emptyCounts(), overdueSeconds: 0, durations: [] } as Bucket]),
  );
  for (const hold of countyHolds) {
    const bucket = byMonth.get(localMonth(hold.servedAt, timeZone));
    if (!bucket) continue;
    const c = bucket.counts;
    const served = Date.parse(hold.servedAt);
    const isOpen = ['ACTIVE', 'RELEASE_DUE', 'OVERDUE'].includes(hold.status);
    c.warrantsServed += 1;
    if (isOpen) c.open += 1;
    if (hold.basis === 'IGSA') {
      c.igsaHolds += 1;
      continue;
    }
    c.holdsOpened += 1;
    const deadline = served + 48 * HOUR;
    expect(Date.parse(hold.deadline ?? '')).toBe(deadline);
    const fact =
      hold.status === 'TRANSFERRED'
        ? hold.transferredAt
        : hold.status === 'RELEASED'
          ? hold.releasedAt
          : undefined;
    const late = fact !== undefined && Date.parse(fact) > deadline;
    if (hold.status === 'TRANSFERRED') {
      if (late) c.transferredLate += 1;
      else c.transferredInTime += 1;
      bucket.durations.push(Date.parse(hold.transferredAt ?? '') - served);
    }
    if (hold.status === 'RELEASED') {
      if (late) c.releasedLate += 1;
      else c.releasedByDeadline += 1;
    }
    if (hold.status === 'CANCELLED') c.cancelled += 1;
    if (late) {
      c.overdue += 1;
      bucket.overdueSeconds += (Date.parse(fact ?? '') - deadline) / 1000;
    } else if (isOpen && now > deadline) {
      c.overdue += 1;
      bucket.overdueSeconds += Math.floor(now / 1000) - deadline / 1000;
    }
    const wasReviewable = late || (hold as Hold & { overdueMarkedAt?: string }).overdueMarkedAt !== undefined;
    if (hold.needsReview) c.reviewsOpen += 1;
    else if (wasReviewable) c.reviewsClosed += 1;
  }
  // Three officers per county were credentialed during onboarding, at the frozen clock's time.
  const credentialMonth = byMonth.get(localMonth(new Date(now), timeZone));
  if (credentialMonth) credentialMonth.counts.officersCredentialed += 3;
  return months.map((month) => {
    const bucket = byMonth.get(month) as Bucket;
    return {
      month,
      ...bucket.counts,
      overdueMinutes: Math.round(bucket.overdueSeconds / 60),
      medianHoursToTransfer: nearestRank(bucket.durations, 50),
      p95HoursToTransfer: nearestRank(bucket.durations, 95),
      durations: bucket.durations,
    };
  });
}

beforeAll(async () => {
  seeded = await seedState({
    baseUrl: runtime().url,
    adminKey: runtime().adminKey,
    state: 'FL',
    counties: COUNTIES,
    months: 4,
    seed: 7,
    runTag: 'T1',
    concurrency: 8,
  });
  await drainAll();
  holds = new Map();
  for (const county of seeded.counties) {
    holds.set(county.spec.tenantId, await readAllHolds(county.spec.tenantId, county.adminKey));
  }
}, 300_000);

describe('the state report', () => {
  it('equals the figures computed from the raw holds, per county and month and in total', async () => {
    const report = await getReport();
    const now = runtime().clock.now().getTime();
    const months = ['2026-08', '2026-09', '2026-10', '2026-11'];
    const allHolds = [...holds.values()].flat();
    expect(allHolds.length).toBeGreaterThanOrEqual(200);
    // The scenario must exercise what the figures are about.
    expect(allHolds.some((hold) => hold.status === 'TRANSFERRED' && hold.late)).toBe(true);
    expect(allHolds.some((hold) => hold.status === 'RELEASED' && hold.late)).toBe(true);
    expect(allHolds.some((hold) => hold.status === 'OVERDUE')).toBe(true);
    expect(allHolds.some((hold) => hold.basis === 'IGSA')).toBe(true);
    expect(allHolds.some((hold) => hold.status === 'CANCELLED')).toBe(true);

    expect(report).toMatchObject({ state: 'FL', from: FROM, to: TO, generatedAt: '2026-11-24T03:00:00Z' });
    expect(report.counties.map((county) => county.tenantId).sort()).toEqual(
      COUNTIES.map((c) => c.tenantId).sort(),
    );
    const allDurations: number[] = [];
    for (const county of report.counties) {
      const spec = COUNTIES.find((c) => c.tenantId === county.tenantId);
      expect(county).toMatchObject({ countyFips: spec?.countyFips, name: spec?.name });
      const expected = expectedFor(holds.get(county.tenantId) ?? [], spec?.timeZone ?? '', now, months);
      allDurations.push(...expected.flatMap((month) => month.durations));
      expect(county.months).toEqual(expected.map(({ durations: _d, ...figures }) => figures));
    }
    const sum = (field: keyof Counts) =>
      report.counties.reduce(
        (total, county) => total + county.months.reduce((s, month) => s + month[field], 0),
        0,
      );
    for (const field of Object.keys(emptyCounts()) as (keyof Counts)[])
      expect(report.totals[field], field).toBe(sum(field));
    expect(report.totals.medianHoursToTransfer).toBe(nearestRank(allDurations, 50));
    expect(report.totals.p95HoursToTransfer).toBe(nearestRank(allDurations, 95));
    expect(report.totals.warrantsServed).toBe(allHolds.filter((hold) => hold.servedAt >= '2026-08').length);
  });

  it('attributes a hold to the month of service in the county\u2019s time zone', async () => {
    const report = await getReport();
    const escambia = holds.get('escambia-fl') ?? [];
    // Served on the first of a month before 06:00 UTC: still the previous month in Central time.
    const early = escambia.filter((hold) => {
      const at = new Date(hold.servedAt);
      return at.getUTCDate() === 1 && at.getUTCHours() < 5;
    });
    for (const hold of early)
      expect(localMonth(hold.servedAt, 'America/Chicago')).not.toBe(hold.servedAt.slice(0, 7));
    const county = report.counties.find((c) => c.tenantId === 'escambia-fl');
    expect(county?.timeZone).toBe('America/Chicago');
  });

  it('reads a state and 24 months in two Queries, whatever the number of holds', async () => {
    const counter = new RequestCounter();
    counter.attach(runtime().deps.db.doc, 'oversight-report');
    for (const query of [
      `from=${FROM}&to=${TO}`,
      'from=2024-12&to=2026-11',
      'from=2026-11&to=2026-11&format=csv',
    ]) {
      const counts = await counter.measure(() => getReport(query));
      const data = Object.fromEntries(
        Object.entries(counts).filter(([operation]) => !operation.startsWith('auth:')),
      );
      expect(data, query).toEqual({ Query: 2 });
    }
  });

  it('serves CSV: a header row, then one row per county and month with the JSON\u2019s figures', async () => {
    const response = await api().get(`/v1/oversight/states/FL/report?from=${FROM}&to=${TO}&format=csv`, {
      key: seeded.stateKey,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = response.text.trim().split('\r\n');
    const header = (lines[0] ?? '').split(',');
    expect(header.slice(0, 5)).toEqual(['state', 'tenantId', 'countyFips', 'county', 'month']);
    expect(lines).toHaveLength(1 + COUNTIES.length * 4);
    const report = await getReport();
    for (const line of lines.slice(1)) {
      const row = Object.fromEntries(line.split(',').map((value, index) => [header[index], value]));
      const month = report.counties
        .find((county) => county.tenantId === row.tenantId)
        ?.months.find((m) => m.month === row.month);
      expect(month, line).toBeDefined();
      for (const [field, value] of Object.entries(month ?? {})) {
        expect(row[field], `${line} ${field}`).toBe(value === null ? '' : String(value));
      }
    }
  });

  it('carries no person data: no names, dates of birth or booking numbers', async () => {
    const bodies = [
      JSON.stringify(await getReport()),
      (
        await api().get(`/v1/oversight/states/FL/report?from=${FROM}&to=${TO}&format=csv`, {
          key: seeded.stateKey,
        })
      ).text,
      (await api().get(`/v1/oversight/states/FL/dashboard?from=${FROM}&to=${TO}`, { key: seeded.stateKey }))
        .text,
    ];
    for (const body of bodies) {
      for (const person of seeded.persons.slice(0, 50)) {
        expect(body).not.toContain(person.bookingNumber);
        expect(body).not.toContain(person.dateOfBirth);
        expect(body).not.toMatch(new RegExp(`\\b(${person.firstName}|${person.lastName})\\b`));
      }
      expect(body).not.toMatch(/firstName|lastName|dateOfBirth|bookingNumber|holdId/);
    }
  });
});

describe('access to oversight', () => {
  it('a state-oversight key reads only its own state; other states are 404, tenant keys 403; no key is 401', async () => {
    const ga = await api().post<{ apiKey: string }>('/v1/states/GA/api-keys', {
      key: runtime().adminKey,
      body: { name: 'GA auditor' },
    });
    expect(ga.status).toBe(201);
    for (const path of ['report', 'dashboard']) {
      expectProblem(await api().get(`/v1/oversight/states/GA/${path}`, { key: seeded.stateKey }), 404);
      expectProblem(await api().get(`/v1/oversight/states/FL/${path}`, { key: ga.body.apiKey }), 404);
      const county = seeded.counties[0];
      expectProblem(await api().get(`/v1/oversight/states/FL/${path}`, { key: county?.adminKey }), 403);
      expectProblem(await api().get(`/v1/oversight/states/FL/${path}`), 401);
      expect((await api().get(`/v1/oversight/states/FL/${path}`, { key: runtime().adminKey })).status).toBe(
        200,
      );
      expect((await api().get(`/v1/oversight/states/GA/${path}`, { key: ga.body.apiKey })).status).toBe(200);
    }
  });

  it('the hold board is for county-admin, jail-system and ice-liaison; other roles 403, other tenants 404', async () => {
    const [county, other] = seeded.counties;
    if (!county || !other) throw new Error('two counties expected');
    const path = `/v1/tenants/${county.spec.tenantId}/hold-board`;
    for (const key of [county.adminKey, county.jailKey, county.liaisonKey]) {
      const response = await api().get(path, { key });
      expect(response.status, response.text).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
    const officer = await api().post<{ apiKey: string }>(`/v1/tenants/${county.spec.tenantId}/api-keys`, {
      key: county.adminKey,
      body: { name: 'officer', role: 'wso-officer', officerId: 'wso-1' },
    });
    expectProblem(await api().get(path, { key: officer.body.apiKey }), 403, 'forbidden');
    expectProblem(await api().get(path, { key: runtime().adminKey }), 403, 'forbidden');
    expectProblem(await api().get(path, { key: other.adminKey }), 404);
    expectProblem(await api().get(path, { key: seeded.stateKey }), 404);
  });

  it('rejects bad ranges and unknown query fields with 400', async () => {
    const bad = [
      'from=2024-11&to=2026-11',
      'from=2026-11&to=2026-10',
      'from=2026-13&to=2026-12',
      'from=26-01',
      'format=xml',
      'from=2026-01&to=2026-02&extra=1',
    ];
    for (const query of bad) {
      expectProblem(
        await api().get(`/v1/oversight/states/FL/report?${query}`, { key: seeded.stateKey }),
        400,
      );
    }
    expectProblem(
      await api().get('/v1/oversight/states/FL/dashboard?from=2023-01&to=2026-11', { key: seeded.stateKey }),
      400,
    );
    const defaults = await getReport('');
    expect(defaults).toMatchObject({ from: '2025-12', to: '2026-11' });
    // `from` alone: twelve months, but never into months that have not begun.
    expect(await getReport('from=2026-09')).toMatchObject({ from: '2026-09', to: '2026-11' });
    expect((await getReport('from=2026-09')).monthlyTotals).toHaveLength(3);
    expect(await getReport('from=2025-01')).toMatchObject({ from: '2025-01', to: '2025-12' });
  });
});

describe('the hold board', () => {
  it('lists the county\u2019s open holds, soonest deadline first, coloured by urgency, without names', async () => {
    const county = seeded.counties[0];
    if (!county) throw new Error('county expected');
    const open = (holds.get(county.spec.tenantId) ?? []).filter((hold) =>
      ['ACTIVE', 'RELEASE_DUE', 'OVERDUE'].includes(hold.status),
    );
    expect(open.length).toBeGreaterThan(0);
    const html = (await api().get(`/v1/tenants/${county.spec.tenantId}/hold-board`, { key: county.adminKey }))
      .text;
    const rows = [
      ...html.matchAll(
        /<tr class="urgency-(\w+)" data-hold="(\w+)" data-urgency="\w+"(?: data-minutes-left="(-?\d+)")?/g,
      ),
    ];
    expect(rows.map((row) => row[2]).sort()).toEqual(open.map((hold) => hold.holdId).sort());
    const now = runtime().clock.now().getTime();
    for (const row of rows) {
      const hold = open.find((h) => h.holdId === row[2]) as Hold;
      const left = (Date.parse(hold.deadline ?? '') - now) / 60_000;
      const expected =
        hold.basis === 'IGSA'
          ? 'none'
          : left < 0
            ? 'late'
            : hold.status === 'RELEASE_DUE' || left <= 120
              ? 'urgent'
              : left <= 720
                ? 'soon'
                : 'ok';
      expect(row[1], hold.holdId).toBe(expected);
    }
    const deadlines = rows.map((row) => open.find((h) => h.holdId === row[2])?.deadline ?? '9999');
    expect(deadlines).toEqual([...deadlines].sort());
    for (const person of seeded.persons) {
      expect(html).not.toContain(person.dateOfBirth);
      expect(html).not.toMatch(new RegExp(`\\b${person.lastName}\\b`));
    }
  });
});

describe('replayed stream records', () => {
  const eventRecords = (tenantId: string, events: HoldEvent[]): ChangeRecord[] =>
    events.map((event) => ({
      eventId: `replay-${event.eventId}`,
      eventName: event.before ? 'MODIFY' : 'INSERT',
      pk: `TENANT#${tenantId}`,
      sk: `HOLD#${event.holdId}`,
      newImage: { ...event.after, entity: 'Hold' },
      ...(event.before ? { oldImage: { ...event.before, entity: 'Hold' } } : {}),
    }));

  it('do not change the counters, however often they come', async () => {
    const county = seeded.counties[1];
    if (!county) throw new Error('county expected');
    const records: ChangeRecord[] = [];
    for (const hold of (holds.get(county.spec.tenantId) ?? []).slice(0, 60)) {
      const events = await api().get<{ items: HoldEvent[] }>(
        `/v1/tenants/${county.spec.tenantId}/holds/${hold.holdId}/events`,
        { key: county.adminKey },
      );
      records.push(...eventRecords(county.spec.tenantId, events.body.items));
    }
    expect(records.length).toBeGreaterThan(60);
    const before = await getReport();
    await reportCountersConsumer.handle(records, runtime().deps);
    await reportCountersConsumer.handle(records, runtime().deps);
    await drainAll();
    expect(await getReport()).toEqual(before);
  });

  it('count a new change exactly once when it is delivered twice', async () => {
    const county = seeded.counties[2];
    if (!county) throw new Error('county expected');
    const servedAt = '2026-11-20T15:00:00Z';
    const hold = {
      holdId: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
      tenantId: county.spec.tenantId,
      bookingNumber: 'BK-REPLAY',
      warrantId: 'W-REPLAY',
      officerId: 'wso-1',
      facilityId: 'main-jail',
      basis: 'WSO',
      status: 'TRANSFERRED',
      servedAt,
      deadline: '2026-11-22T15:00:00Z',
      transferredAt: '2026-11-20T21:00:00Z',
      late: false,
      needsReview: false,
      version: 2,
      entity: 'Hold',
    };
    const record: ChangeRecord = {
      eventId: 'synthetic-1',
      eventName: 'MODIFY',
      pk: `TENANT#${county.spec.tenantId}`,
      sk: `HOLD#${hold.holdId}`,
      newImage: hold,
      oldImage: { ...hold, status: 'ACTIVE', transferredAt: undefined, version: 1 },
    };
    const insert: ChangeRecord = {
      eventId: 'synthetic-0',
      eventName: 'INSERT',
      pk: record.pk,
      sk: record.sk,
      newImage: { ...hold, status: 'ACTIVE', transferredAt: undefined, version: 1 },
    };
    const monthOf = (report: StateReport) =>
      report.counties
        .find((c) => c.tenantId === county.spec.tenantId)
        ?.months.find((m) => m.month === '2026-11');
    const before = monthOf(await getReport());
    for (let delivery = 0; delivery < 3; delivery++) {
      await reportCountersConsumer.handle([insert, record, record], runtime().deps);
    }
    const after = monthOf(await getReport());
    expect(after?.warrantsServed).toBe((before?.warrantsServed ?? 0) + 1);
    expect(after?.transferredInTime).toBe((before?.transferredInTime ?? 0) + 1);
    expect(after?.open).toBe(before?.open);
  });
});
