/**
 * The soak: thousands of holds across counties on the virtual clock, with the faults the design
 * must survive (duplicated and dropped timer fires, throttled schedule creation, throttled
 * DynamoDB calls, concurrent sweeps) and random facts before and after deadlines. At the end, an
 * invariant checker reads every hold and its audit trail back through the API.
 *
 * Used by `npm run soak` (5,000 holds) and by a 500-hold variant in `npm test`. No vitest imports:
 * it runs as a plain script too.
 */
import { createHoldTimerHandler } from '../../functions/hold-timer/app.ts';
import { createSweeper } from '../../functions/sweeper/app.ts';
import type { LocalRuntime } from '../../local/runtime.ts';
import { HOLD_STEPS, type Hold } from '../../shared/domain/hold.ts';
import type { HoldEvent } from '../../shared/store/holds.ts';
import { scheduleName } from '../../shared/timers/eventbridge-hold-timers.ts';
import { ApiClient } from '../support/http.ts';
import { injectDynamoThrottling } from './faults.ts';
import { mulberry32, pick } from './random.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const SWEEP_INTERVAL = MINUTE;

export interface SoakOptions {
  holds: number;
  counties: number;
  seed: number;
  /** Virtual hours over which services are spread. */
  spreadHours: number;
  /** Fractions of operations hit by each fault. */
  faults: {
    dropTimer: number;
    duplicateFire: number;
    createScheduleThrottled: number;
    dynamoThrottled: number;
    concurrentSweep: number;
  };
  log?: (line: string) => void;
}

export const DEFAULT_FAULTS: SoakOptions['faults'] = {
  dropTimer: 0.05,
  duplicateFire: 0.05,
  createScheduleThrottled: 0.03,
  dynamoThrottled: 0.01,
  concurrentSweep: 0.05,
};

type Plan =
  | { kind: 'transfer'; atOffsetHours: number }
  | { kind: 'release'; atOffsetHours: number }
  | { kind: 'withdraw'; atOffsetHours: number }
  | { kind: 'none' };

interface PlannedHold {
  county: CountyKeys;
  servedAt: number;
  /** A service reported late: recorded this many hours after it happened. */
  reportedAt: number;
  plan: Plan;
  bookingNumber: string;
  warrantId: string;
  hold?: Hold;
}

interface CountyKeys {
  tenantId: string;
  admin: string;
  jail: string;
  liaison: string;
}

type Action = { at: number; run: () => Promise<void> };

type FaultName =
  | 'droppedTimers'
  | 'duplicateFires'
  | 'createScheduleThrottled'
  | 'dynamoThrottled'
  | 'concurrentSweeps'
  | 'retriedRequests';

export interface SoakReport {
  holds: number;
  counties: number;
  byStatus: Record<string, number>;
  late: number;
  faults: Record<FaultName, number>;
  violations: string[];
  virtualHours: number;
  wallSeconds: number;
  requests: number;
}

/** Runs the soak against a started local runtime (frozen virtual clock) and checks its invariants. */
export async function runSoak(runtime: LocalRuntime, options: SoakOptions): Promise<SoakReport> {
  const started = performance.now();
  const random = mulberry32(options.seed);
  const api = new ApiClient(runtime.url);
  const log = options.log ?? (() => undefined);
  const faults = {
    droppedTimers: 0,
    duplicateFires: 0,
    createScheduleThrottled: 0,
    dynamoThrottled: 0,
    concurrentSweeps: 0,
    retriedRequests: 0,
  };
  let requests = 0;
  const call = async <T>(
    method: string,
    path: string,
    key: string,
    body?: unknown,
    idempotencyKey?: string,
  ) => {
    // Clients retry 503 (throttled) with the same Idempotency-Key, as a vendor integration should.
    for (let attempt = 1; ; attempt++) {
      requests++;
      const response = await api.call<T>(method, path, {
        key,
        ...(body !== undefined ? { body } : {}),
        ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
      });
      if ((response.status !== 503 && response.status !== 409) || attempt >= 8) return response;
      if (response.status === 409 && !/in-progress|concurrent/.test(response.text)) return response;
      faults.retriedRequests++;
    }
  };
  const must = async <T>(method: string, path: string, key: string, body?: unknown, idem?: string) => {
    const response = await call<T>(method, path, key, body, idem);
    if (response.status >= 300)
      throw new Error(`${method} ${path} → ${response.status}: ${response.text.slice(0, 300)}`);
    return response.body;
  };

  const t0 = runtime.clock.now().getTime();
  log(`soak: ${options.holds} holds, ${options.counties} counties, seed ${options.seed}`);
  const counties = await onboard(runtime, must, options.counties);
  const planned = plan(options, random, counties, t0);
  const timer = createHoldTimerHandler(runtime.deps);
  const sweep = createSweeper(runtime.deps);
  // The function role's client (authentication, timers, sweeps) and every county's tenant-scoped
  // client (the county keys' API requests) are throttled alike.
  const docs = [
    runtime.deps.db.doc,
    ...(await Promise.all(counties.map(async (c) => (await runtime.tenantDb.forTenant(c.tenantId)).doc))),
  ];
  const stops = docs.map((doc) =>
    injectDynamoThrottling(doc, options.faults.dynamoThrottled, random, () => {
      faults.dynamoThrottled++;
    }),
  );
  const stopThrottling = () => {
    for (const stop of stops) stop();
  };

  const actions: Action[] = [];
  for (const [index, item] of planned.entries()) {
    actions.push({
      at: item.reportedAt,
      run: async () => {
        const path = `/v1/tenants/${item.county.tenantId}`;
        await must('PUT', `${path}/bookings/${item.bookingNumber}`, item.county.jail, {
          facilityId: 'main',
          bookedAt: iso(item.servedAt - 2 * HOUR),
          person: { firstName: 'Pat', lastName: `Soak${index}`, dateOfBirth: '1988-08-08' },
        });
        await must(
          'POST',
          `${path}/warrants`,
          item.county.liaison,
          {
            warrantId: item.warrantId,
            form: 'I-200',
            issuedAt: iso(item.servedAt - HOUR),
            issuingOfficer: 'SDDO Soak',
            fieldOffice: 'Miami',
            bookingNumber: item.bookingNumber,
          },
          `w-${item.warrantId}`,
        );
        if (random() < options.faults.createScheduleThrottled) {
          runtime.timers.scheduler.failNext('CreateSchedule', 'ThrottlingException', 3);
          faults.createScheduleThrottled++;
        }
        item.hold = await must<Hold>(
          'POST',
          `${path}/holds`,
          item.county.jail,
          {
            warrantId: item.warrantId,
            bookingNumber: item.bookingNumber,
            officerId: 'off-1',
            servedAt: iso(item.servedAt),
          },
          `serve-${item.warrantId}`,
        );
      },
    });
    if (item.plan.kind !== 'none') {
      const planKind = item.plan.kind;
      const at = Math.max(item.reportedAt, item.servedAt + item.plan.atOffsetHours * HOUR);
      actions.push({
        at,
        run: async () => {
          if (!item.hold) return;
          const path = `/v1/tenants/${item.county.tenantId}`;
          const now = iso(runtime.clock.now().getTime());
          if (planKind === 'transfer') {
            await call('POST', `${path}/holds/${item.hold.holdId}/transfer`, item.county.liaison, {
              transferredAt: now,
              receivingOfficer: 'ERO Soak',
            });
          } else if (planKind === 'release') {
            await call('POST', `${path}/bookings/${item.bookingNumber}/release`, item.county.jail, {
              releasedAt: now,
            });
          } else {
            await call('POST', `${path}/warrants/${item.warrantId}/withdraw`, item.county.liaison, {
              reason: 'soak withdrawal',
            });
          }
        },
      });
    }
    if (random() < options.faults.dropTimer) {
      actions.push({
        at: item.reportedAt + random() * 47 * HOUR,
        run: async () => {
          if (!item.hold) return;
          faults.droppedTimers++;
          const { DeleteScheduleCommand } = await import('@aws-sdk/client-scheduler');
          for (const step of HOLD_STEPS) {
            await runtime.timers.schedulerClient
              .send(
                new DeleteScheduleCommand({
                  Name: scheduleName(item.hold.holdId, step),
                  GroupName: 'wso-holds',
                }),
              )
              .catch(() => undefined);
          }
        },
      });
    }
    if (random() < options.faults.duplicateFire) {
      actions.push({
        at: item.servedAt + 47 * HOUR + random() * 2 * HOUR,
        run: async () => {
          if (!item.hold) return;
          faults.duplicateFires++;
          const payload = {
            tenantId: item.county.tenantId,
            holdId: item.hold.holdId,
            step: 'RELEASE_DUE',
            dueAt: item.hold.releaseDueAt,
          };
          await Promise.all([timer(payload), timer(payload)]);
        },
      });
    }
    if (random() < options.faults.concurrentSweep) {
      actions.push({
        at: item.reportedAt + random() * 48 * HOUR,
        run: async () => {
          faults.concurrentSweeps++;
          await Promise.all([sweep(), sweep()]);
        },
      });
    }
  }

  actions.sort((a, b) => a.at - b.at);
  const end = Math.max(...planned.map((item) => item.servedAt)) + 48 * HOUR + 2 * SWEEP_INTERVAL;
  // Actions due in the same virtual minute run concurrently, as independent clients would.
  for (let start = 0; start < actions.length; ) {
    const minute = Math.floor((actions[start]?.at ?? 0) / MINUTE);
    let stop = start;
    while (stop < actions.length && Math.floor((actions[stop]?.at ?? 0) / MINUTE) === minute) stop++;
    const batch = actions.slice(start, stop);
    const target = Math.max(batch[0]?.at ?? 0, runtime.clock.now().getTime());
    await runtime.advanceTo(new Date(target));
    await Promise.all(batch.map((action) => action.run()));
    start = stop;
    if (start % 500 < batch.length) log(`soak: ${start}/${actions.length} actions, virtual ${iso(target)}`);
  }
  stopThrottling();
  await runtime.advanceTo(new Date(end));
  await runtime.drainStreams();

  log(
    `soak: all actions run and the clock is past every deadline (${Math.round((performance.now() - started) / 1000)} s); checking`,
  );
  // The checker reads every hold once, one at a time (thousands of parallel reads would only
  // overflow the local server's connection backlog); the report counts those same reads.
  const { violations, finals } = await checkInvariants(runtime, api, counties, planned);
  log(`soak: invariants checked (${Math.round((performance.now() - started) / 1000)} s)`);
  const byStatus: Record<string, number> = {};
  for (const hold of finals) byStatus[hold.status] = (byStatus[hold.status] ?? 0) + 1;
  return {
    holds: finals.length,
    counties: counties.length,
    byStatus,
    late: finals.filter((hold) => hold.late).length,
    faults,
    violations,
    virtualHours: Math.round((end - t0) / HOUR),
    wallSeconds: Math.round((performance.now() - started) / 1000),
    requests,
  };
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

type Must = <T>(method: string, path: string, key: string, body?: unknown, idem?: string) => Promise<T>;

async function onboard(runtime: LocalRuntime, must: Must, count: number): Promise<CountyKeys[]> {
  const counties: CountyKeys[] = [];
  for (let index = 0; index < count; index++) {
    const tenantId = `soak-${index}`;
    await must('POST', '/v1/tenants', runtime.adminKey, {
      tenantId,
      countyFips: String(12001 + index * 2).padStart(5, '0'),
      state: 'FL',
      name: `Soak County ${index}`,
      timeZone: 'America/New_York',
      agreements: { wsoMoaSignedOn: '2020-01-01', igsa: false, boa: false },
      releaseLeadMinutes: [0, 30, 60, 120][index % 4],
    });
    const key = async (role: string, extra: object = {}) =>
      (
        await must<{ apiKey: string }>('POST', `/v1/tenants/${tenantId}/api-keys`, runtime.adminKey, {
          name: role,
          role,
          ...extra,
        })
      ).apiKey;
    const admin = await key('county-admin');
    const jail = await key('jail-system');
    const liaison = await key('ice-liaison');
    await must('POST', `/v1/tenants/${tenantId}/facilities`, admin, {
      facilityId: 'main',
      name: 'Main Jail',
    });
    await must('POST', `/v1/tenants/${tenantId}/officers`, admin, {
      officerId: 'off-1',
      name: 'Officer Soak',
      badgeNumber: 'S-1',
      facilityIds: ['main'],
    });
    await must('POST', `/v1/tenants/${tenantId}/officers/off-1/credential`, liaison, {
      backgroundCheckPassedOn: '2025-01-01',
      trainedOn: '2025-01-02',
      credentialNumber: `WSO-S${index}`,
      expiresOn: '2030-01-01',
    });
    counties.push({ tenantId, admin, jail, liaison });
  }
  return counties;
}

function plan(options: SoakOptions, random: () => number, counties: CountyKeys[], t0: number): PlannedHold[] {
  const planned: PlannedHold[] = [];
  for (let index = 0; index < options.holds; index++) {
    const servedAt = t0 + HOUR + random() * options.spreadHours * HOUR;
    // 4% of services are reported late, some more than 48 h late (they start OVERDUE).
    const reportedAt = random() < 0.04 ? servedAt + random() * 60 * HOUR : servedAt + random() * MINUTE;
    const roll = random();
    const planKind: Plan =
      roll < 0.45
        ? { kind: 'transfer', atOffsetHours: random() * 46 }
        : roll < 0.55
          ? { kind: 'transfer', atOffsetHours: 46 + random() * 2 }
          : roll < 0.65
            ? { kind: 'transfer', atOffsetHours: 48 + random() * 12 }
            : roll < 0.78
              ? { kind: 'release', atOffsetHours: random() * 48 }
              : roll < 0.83
                ? { kind: 'release', atOffsetHours: 48 + random() * 6 }
                : roll < 0.88
                  ? { kind: 'withdraw', atOffsetHours: random() * 40 }
                  : { kind: 'none' };
    planned.push({
      county: pick(random, counties),
      servedAt,
      reportedAt,
      plan: planKind,
      bookingNumber: `SOAK-${index}`,
      warrantId: `SW-${index}`,
    });
  }
  return planned;
}

async function readFinal(api: ApiClient, counties: CountyKeys[], hold: Hold): Promise<Hold> {
  const county = counties.find((candidate) => candidate.tenantId === hold.tenantId);
  const response = await api.get<Hold>(`/v1/tenants/${hold.tenantId}/holds/${hold.holdId}`, {
    key: county?.admin ?? '',
  });
  return response.body;
}

type Marked = Hold & { releaseDueMarkedAt?: string; overdueMarkedAt?: string };

/** What must hold whatever failed: checked hold by hold, plus each county's audit chains. */
async function checkInvariants(
  runtime: LocalRuntime,
  api: ApiClient,
  counties: CountyKeys[],
  planned: PlannedHold[],
): Promise<{ violations: string[]; finals: Hold[] }> {
  const violations: string[] = [];
  const finals: Hold[] = [];
  const now = runtime.clock.now().getTime();
  const TERMINAL_EVENTS = new Set(['hold.transferred', 'hold.released', 'hold.cancelled']);
  for (const item of planned) {
    if (!item.hold) {
      violations.push(`${item.warrantId}: never served`);
      continue;
    }
    const hold = (await readFinal(api, counties, item.hold)) as Marked;
    finals.push(hold);
    const id = `${hold.tenantId}/${hold.holdId}`;
    const deadline = Date.parse(hold.deadline ?? '');
    if (deadline <= now && (hold.status === 'ACTIVE' || hold.status === 'RELEASE_DUE')) {
      violations.push(`${id}: ${hold.status} past its deadline ${hold.deadline}`);
    }
    // Steps are marked on time: by the timer, or by the sweeper within one interval.
    const reported = item.reportedAt;
    if (
      hold.overdueMarkedAt &&
      Date.parse(hold.overdueMarkedAt) > Math.max(deadline, reported) + SWEEP_INTERVAL
    ) {
      violations.push(`${id}: OVERDUE marked at ${hold.overdueMarkedAt}, deadline ${hold.deadline}`);
    }
    const releaseDue = Date.parse(hold.releaseDueAt ?? '');
    if (
      hold.releaseDueMarkedAt &&
      Date.parse(hold.releaseDueMarkedAt) > Math.max(releaseDue, reported) + SWEEP_INTERVAL
    ) {
      violations.push(`${id}: RELEASE_DUE marked at ${hold.releaseDueMarkedAt}, due ${hold.releaseDueAt}`);
    }
    const fact = hold.transferredAt ?? hold.releasedAt;
    if (fact && hold.late !== fact > (hold.deadline ?? ''))
      violations.push(`${id}: late=${hold.late} for fact ${fact}`);
    const events = (
      await api.get<{ items: HoldEvent[] }>(`/v1/tenants/${hold.tenantId}/holds/${hold.holdId}/events`, {
        key: counties.find((county) => county.tenantId === hold.tenantId)?.admin ?? '',
      })
    ).body.items;
    const terminal = events.filter((event) => TERMINAL_EVENTS.has(event.type));
    const isTerminal = ['TRANSFERRED', 'RELEASED', 'CANCELLED'].includes(hold.status);
    if (terminal.length !== (isTerminal ? 1 : 0))
      violations.push(`${id}: ${terminal.length} terminal events, status ${hold.status}`);
    if (events.length !== hold.version && events.length < hold.version) {
      violations.push(`${id}: version ${hold.version} but ${events.length} audit events`);
    }
    if (events.some((event, index) => event.seq !== index + 1))
      violations.push(`${id}: audit sequence has gaps`);
  }
  for (const county of counties) {
    const verify = await api.get<{ ok: boolean; firstBroken?: unknown }>(
      `/v1/tenants/${county.tenantId}/audit/verify`,
      {
        key: county.admin,
      },
    );
    if (verify.status !== 200) violations.push(`${county.tenantId}: audit/verify answered ${verify.status}`);
    else if (!verify.body.ok) {
      violations.push(`${county.tenantId}: audit chain broken at ${JSON.stringify(verify.body.firstBroken)}`);
    }
  }
  return { violations, finals };
}
