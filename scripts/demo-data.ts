/**
 * Demo and test workload: onboards counties of one state and serves months of realistic holds
 * through the public API only (plus GET /_local/clock to learn "now"). The virtual clock only moves
 * forward, so history is written as late facts: services with a past `servedAt`, transfers and
 * releases with past times, which the API records (and flags) as it must for real late reports.
 *
 * Shape of the data (per WSO hold): about 70 % transferred within 48 h (most within a day), 12 %
 * released at or just before the deadline, 6 % transferred late, 4 % released late, a few still
 * open or overdue in the last days, cancellations where the warrant is withdrawn in time. Counties
 * with an IGSA also record IGSA holds.
 */

export interface CountySpec {
  tenantId: string;
  countyFips: string;
  name: string;
  timeZone: string;
  igsa: boolean;
  /** Average WSO services per month. */
  holdsPerMonth: number;
}

/** Six Florida WSO counties; Escambia is on Central time, so month attribution differs there. */
export const FLORIDA_COUNTIES: readonly CountySpec[] = [
  {
    tenantId: 'pinellas-fl',
    countyFips: '12103',
    name: 'Pinellas County',
    timeZone: 'America/New_York',
    igsa: false,
    holdsPerMonth: 24,
  },
  {
    tenantId: 'hillsborough-fl',
    countyFips: '12057',
    name: 'Hillsborough County',
    timeZone: 'America/New_York',
    igsa: true,
    holdsPerMonth: 30,
  },
  {
    tenantId: 'polk-fl',
    countyFips: '12105',
    name: 'Polk County',
    timeZone: 'America/New_York',
    igsa: true,
    holdsPerMonth: 18,
  },
  {
    tenantId: 'duval-fl',
    countyFips: '12031',
    name: 'Duval County',
    timeZone: 'America/New_York',
    igsa: false,
    holdsPerMonth: 16,
  },
  {
    tenantId: 'pasco-fl',
    countyFips: '12101',
    name: 'Pasco County',
    timeZone: 'America/New_York',
    igsa: false,
    holdsPerMonth: 10,
  },
  {
    tenantId: 'escambia-fl',
    countyFips: '12033',
    name: 'Escambia County',
    timeZone: 'America/Chicago',
    igsa: false,
    holdsPerMonth: 8,
  },
];

export interface SeedOptions {
  baseUrl: string;
  adminKey: string;
  state: string;
  counties: readonly CountySpec[];
  /** How many months back, the current month included. */
  months: number;
  seed?: number;
  concurrency?: number;
  /** Tags booking and warrant numbers, so a second run adds to the first. */
  runTag?: string;
  log?: (line: string) => void;
}

export interface SeededCounty {
  spec: CountySpec;
  adminKey: string;
  jailKey: string;
  liaisonKey: string;
}

export interface SeededPerson {
  bookingNumber: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string;
}

export interface SeedResult {
  now: string;
  stateKey: string;
  counties: SeededCounty[];
  holdIds: string[];
  persons: SeededPerson[];
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const FIRST_NAMES = [
  'Maria',
  'Jose',
  'Ana',
  'Luis',
  'Carmen',
  'Juan',
  'Rosa',
  'Pedro',
  'Elena',
  'Miguel',
  'Sofia',
  'Diego',
];
const LAST_NAMES = [
  'Alvarez',
  'Brito',
  'Castillo',
  'Duarte',
  'Escobar',
  'Fuentes',
  'Guerrero',
  'Herrera',
  'Ibarra',
  'Jimenez',
];

/** mulberry32: a small seeded PRNG, so a seed gives the same data every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const iso = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

class Api {
  readonly baseUrl: string;
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
  }

  async call<T>(
    method: string,
    path: string,
    key: string | undefined,
    body?: unknown,
    ok: number[] = [200, 201],
  ): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!ok.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
}

type Outcome =
  | { kind: 'transfer'; at: number }
  | { kind: 'release'; at: number }
  | { kind: 'withdraw' }
  | { kind: 'open' };

interface PlannedHold {
  county: SeededCounty;
  basis: 'WSO' | 'IGSA';
  servedAt: number;
  officerId: string;
  outcome: Outcome;
}

/** What happens to a hold served at `servedAt`, as of `now`. Facts later than now stay open. */
function planOutcome(rand: () => number, basis: 'WSO' | 'IGSA', servedAt: number, now: number): Outcome {
  const deadline = servedAt + 48 * HOUR;
  const fact = (kind: 'transfer' | 'release', at: number): Outcome =>
    at <= now ? { kind, at } : { kind: 'open' };
  if (basis === 'IGSA') return fact('transfer', servedAt + (3 + rand() * 17) * 24 * HOUR);
  const inTime = () => {
    const band = rand();
    const hours = band < 0.55 ? 1 + rand() * 11 : band < 0.9 ? 12 + rand() * 24 : 36 + rand() * 11.9;
    return fact('transfer', servedAt + hours * HOUR);
  };
  const r = rand();
  if (r < 0.7) return inTime();
  if (r < 0.82) return fact('release', deadline - rand() * 75 * MINUTE);
  if (r < 0.88) return fact('transfer', deadline + (10 + rand() * 590) * MINUTE);
  if (r < 0.92) return fact('release', deadline + (5 + rand() * 235) * MINUTE);
  // A withdrawal cancels only a hold still within its 48 hours; older ones were transferred.
  if (r < 0.95) return now < deadline ? { kind: 'withdraw' } : inTime();
  // Left open: realistic only for recent services (an overdue hold is chased within days).
  return now - servedAt < 5 * 24 * HOUR ? { kind: 'open' } : inTime();
}

async function onboard(
  api: Api,
  options: SeedOptions,
  spec: CountySpec,
  stamp: string,
): Promise<SeededCounty> {
  const admin = options.adminKey;
  await api.call(
    'POST',
    '/v1/tenants',
    admin,
    {
      tenantId: spec.tenantId,
      countyFips: spec.countyFips,
      state: options.state,
      name: spec.name,
      timeZone: spec.timeZone,
      agreements: { wsoMoaSignedOn: '2019-05-01', igsa: spec.igsa, boa: true },
    },
    [201, 409],
  );
  const issue = async (role: string) =>
    (
      await api.call<{ apiKey: string }>('POST', `/v1/tenants/${spec.tenantId}/api-keys`, admin, {
        name: `demo ${role} ${stamp}`,
        role,
      })
    ).apiKey;
  const adminKey = await issue('county-admin');
  const jailKey = await issue('jail-system');
  const liaisonKey = await issue('ice-liaison');
  const t = spec.tenantId;
  await api.call(
    'POST',
    `/v1/tenants/${t}/facilities`,
    adminKey,
    { facilityId: 'main-jail', name: `${spec.name} Jail` },
    [201, 409],
  );
  for (let index = 1; index <= 3; index++) {
    const officerId = `wso-${index}`;
    const created = await api.call<{ status?: string }>(
      'POST',
      `/v1/tenants/${t}/officers`,
      adminKey,
      {
        officerId,
        name: `Deputy ${LAST_NAMES[index] ?? 'Smith'}`,
        badgeNumber: `B-${100 + index}`,
        facilityIds: ['main-jail'],
      },
      [201, 409],
    );
    if (created.status === 'NOMINATED') {
      await api.call('POST', `/v1/tenants/${t}/officers/${officerId}/credential`, liaisonKey, {
        backgroundCheckPassedOn: '2024-01-05',
        trainedOn: '2024-01-10',
        credentialNumber: `WSO-${spec.countyFips}-${index}`,
        expiresOn: '2030-01-10',
      });
    }
  }
  return { spec, adminKey, jailKey, liaisonKey };
}

async function runHold(api: Api, plan: PlannedHold, number: string, person: SeededPerson): Promise<string> {
  const { county, servedAt } = plan;
  const t = county.spec.tenantId;
  const bookedAt = servedAt - (2 + (Number(number.slice(-2)) % 20)) * HOUR;
  await api.call('PUT', `/v1/tenants/${t}/bookings/${person.bookingNumber}`, county.jailKey, {
    facilityId: 'main-jail',
    bookedAt: iso(bookedAt),
    person: { firstName: person.firstName, lastName: person.lastName, dateOfBirth: person.dateOfBirth },
    charges: [{ code: '316.193', description: 'DUI' }],
  });
  const warrantId = `W-${number}`;
  await api.call('POST', `/v1/tenants/${t}/warrants`, county.liaisonKey, {
    warrantId,
    form: 'I-200',
    issuedAt: iso(bookedAt),
    issuingOfficer: 'SDDO Rivera',
    fieldOffice: 'Miami',
    bookingNumber: person.bookingNumber,
  });
  const hold = await api.call<{ holdId: string }>('POST', `/v1/tenants/${t}/holds`, county.jailKey, {
    warrantId,
    bookingNumber: person.bookingNumber,
    officerId: plan.officerId,
    servedAt: iso(servedAt),
    basis: plan.basis,
  });
  const { outcome } = plan;
  if (outcome.kind === 'transfer') {
    await api.call('POST', `/v1/tenants/${t}/holds/${hold.holdId}/transfer`, county.liaisonKey, {
      transferredAt: iso(outcome.at),
      receivingOfficer: 'ERO Officer Lee',
    });
  } else if (outcome.kind === 'release') {
    await api.call('POST', `/v1/tenants/${t}/holds/${hold.holdId}/release`, county.jailKey, {
      releasedAt: iso(outcome.at),
    });
  } else if (outcome.kind === 'withdraw') {
    await api.call('POST', `/v1/tenants/${t}/warrants/${warrantId}/withdraw`, county.liaisonKey, {
      reason: 'Warrant rescinded by ICE',
    });
  }
  return hold.holdId;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function seedState(options: SeedOptions): Promise<SeedResult> {
  const api = new Api(options.baseUrl);
  const log = options.log ?? (() => undefined);
  const rand = random(options.seed ?? 2026);
  const tag = options.runTag ?? Date.now().toString(36).toUpperCase();
  const { now: nowText } = await api.call<{ now: string }>('GET', '/_local/clock', undefined);
  const now = Date.parse(nowText);

  const counties: SeededCounty[] = [];
  for (const spec of options.counties) {
    counties.push(await onboard(api, options, spec, tag));
    log(`  onboarded ${spec.name} (${spec.tenantId})`);
  }
  const stateKey = (
    await api.call<{ apiKey: string }>('POST', `/v1/states/${options.state}/api-keys`, options.adminKey, {
      name: `demo oversight ${tag}`,
    })
  ).apiKey;

  const current = new Date(now);
  const plans: PlannedHold[] = [];
  for (const county of counties) {
    for (let back = options.months - 1; back >= 0; back--) {
      const start = Date.UTC(current.getUTCFullYear(), current.getUTCMonth() - back, 1);
      const end = Math.min(
        Date.UTC(current.getUTCFullYear(), current.getUTCMonth() - back + 1, 1),
        now - 30 * MINUTE,
      );
      if (end <= start) continue;
      const share = (end - start) / (31 * 24 * HOUR);
      const count = Math.round(county.spec.holdsPerMonth * share * (0.75 + rand() * 0.5));
      for (let index = 0; index < count; index++) {
        const basis = county.spec.igsa && rand() < 0.15 ? 'IGSA' : 'WSO';
        const servedAt = start + rand() * (end - start);
        plans.push({
          county,
          basis,
          servedAt,
          officerId: `wso-${1 + Math.floor(rand() * 3)}`,
          outcome: planOutcome(rand, basis, servedAt, now),
        });
      }
    }
  }
  // The last two days: holds in progress for the hold board, one per county left overdue (ICE did
  // not come and the jail has not released) and one whose warrant ICE withdrew: a withdrawal
  // cancels only a hold still within its 48 hours, so older history cannot show any.
  for (const county of counties) {
    const recent = Math.max(3, Math.round(county.spec.holdsPerMonth / 5));
    for (let index = 0; index < recent; index++) {
      const overdue = index === 0;
      const servedAt = overdue ? now - (50 + rand() * 8) * HOUR : now - (0.5 + rand() * 45) * HOUR;
      plans.push({
        county,
        basis: 'WSO',
        servedAt,
        officerId: `wso-${1 + Math.floor(rand() * 3)}`,
        // Half of the others are still waiting for ICE: the board's everyday content.
        outcome:
          overdue || (index > 1 && rand() < 0.5)
            ? { kind: 'open' }
            : index === 1
              ? { kind: 'withdraw' }
              : planOutcome(rand, 'WSO', servedAt, now),
      });
    }
  }
  const persons: SeededPerson[] = plans.map((_, index) => ({
    bookingNumber: `BK-${tag}-${String(index).padStart(5, '0')}`,
    firstName: FIRST_NAMES[Math.floor(rand() * FIRST_NAMES.length)] ?? 'Maria',
    lastName: LAST_NAMES[Math.floor(rand() * LAST_NAMES.length)] ?? 'Alvarez',
    dateOfBirth: `19${60 + Math.floor(rand() * 40)}-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}`,
  }));
  log(`  serving ${plans.length} holds over ${options.months} months…`);
  let done = 0;
  const holdIds = await pool(plans, options.concurrency ?? 6, async (plan, index) => {
    const holdId = await runHold(
      api,
      plan,
      `${tag}-${String(index).padStart(5, '0')}`,
      persons[index] as SeededPerson,
    );
    done += 1;
    if (done % 100 === 0) log(`    ${done}/${plans.length}`);
    return holdId;
  });
  return { now: nowText, stateKey, counties, holdIds, persons };
}
