import { describe, expect, it } from 'vitest';
import { createHoldTimerHandler } from '../../functions/hold-timer/app.ts';
import { createSweeper } from '../../functions/sweeper/app.ts';
import type { Hold } from '../../shared/domain/hold.ts';
import type { HoldEvent } from '../../shared/store/holds.ts';
import { SCHEDULER_MAX_ATTEMPTS } from '../../shared/timers/eventbridge-hold-timers.ts';
import { type County, onboardCounty, readHold, schedulesOf, serveHold } from '../support/custody.ts';
import { useRuntime } from '../support/runtime.ts';

const runtime = useRuntime();
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const now = () => runtime().clock.now().getTime();

let countyCount = 0;
const newCounty = (options: { igsa?: boolean; releaseLeadMinutes?: number } = {}): Promise<County> =>
  onboardCounty(runtime(), `timer-${++countyCount}`, options);

const events = async (county: County, holdId: string) =>
  (
    await county.api.get<{ items: HoldEvent[] }>(`/v1/tenants/${county.tenantId}/holds/${holdId}/events`, {
      key: county.admin,
    })
  ).body.items;

const advanceTo = (ms: number) => runtime().advanceTo(new Date(ms));

describe('the 48-hour timer', () => {
  it('marks RELEASE_DUE exactly at deadline − releaseLead and OVERDUE exactly at the deadline', async () => {
    const county = await newCounty({ releaseLeadMinutes: 90 });
    const servedAt = iso(now());
    const hold = await serveHold(county, servedAt);
    expect(hold).toMatchObject({
      status: 'ACTIVE',
      basis: 'WSO',
      deadline: iso(Date.parse(servedAt) + 48 * HOUR),
      releaseDueAt: iso(Date.parse(servedAt) + 48 * HOUR - 90 * 60_000),
      rule: { id: 'WSO-48H', version: 1, inputs: { servedAt, releaseLeadMinutes: 90 } },
      late: false,
      needsReview: false,
    });
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([`${hold.holdId}-release-due`]);

    const releaseDueAt = Date.parse(hold.releaseDueAt ?? '');
    await advanceTo(releaseDueAt - 1000);
    expect((await readHold(county, hold.holdId)).status).toBe('ACTIVE');
    await advanceTo(releaseDueAt);
    const due = await readHold(county, hold.holdId);
    expect(due).toMatchObject({ status: 'RELEASE_DUE', nextStep: 'OVERDUE', nextActionAt: hold.deadline });
    expect((due as Hold & { releaseDueMarkedAt: string }).releaseDueMarkedAt).toBe(hold.releaseDueAt);
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([`${hold.holdId}-overdue`]);

    const deadline = Date.parse(hold.deadline ?? '');
    await advanceTo(deadline - 1000);
    expect((await readHold(county, hold.holdId)).status).toBe('RELEASE_DUE');
    await advanceTo(deadline);
    const overdue = await readHold(county, hold.holdId);
    expect(overdue).toMatchObject({ status: 'OVERDUE', needsReview: true });
    expect((overdue as Hold & { overdueMarkedAt: string }).overdueMarkedAt).toBe(hold.deadline);
    expect(overdue.nextStep).toBeUndefined();
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([]);
    expect((await events(county, hold.holdId)).map((event) => event.type)).toEqual([
      'hold.created',
      'hold.release_due',
      'hold.overdue',
    ]);
  });

  it('POST /_local/clock {advanceBy: PT48H} runs the whole workflow before it answers', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now()));
    const moved = await county.api.post('/_local/clock', { body: { advanceBy: 'PT48H' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ now: hold.deadline });
    expect((await readHold(county, hold.holdId)).status).toBe('OVERDUE');
  });

  it('a transfer before either step ends TRANSFERRED with no schedule left', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now()));
    await advanceTo(now() + 3 * HOUR);
    const transferred = await county.api.post<Hold>(
      `/v1/tenants/${county.tenantId}/holds/${hold.holdId}/transfer`,
      {
        key: county.liaison,
        body: { transferredAt: iso(now()), receivingOfficer: 'ERO Officer Lee' },
      },
    );
    expect(transferred.status, transferred.text).toBe(200);
    expect(transferred.body).toMatchObject({ status: 'TRANSFERRED', late: false, needsReview: false });
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([]);
    await advanceTo(Date.parse(hold.deadline ?? '') + HOUR);
    expect((await readHold(county, hold.holdId)).status).toBe('TRANSFERRED');
    const booking = await county.api.get(`/v1/tenants/${county.tenantId}/bookings/${hold.bookingNumber}`, {
      key: county.jail,
    });
    expect(booking.body).toMatchObject({ status: 'RELEASED' });
  });

  it('a late transfer of an OVERDUE hold is recorded, flagged late and left for review', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now()));
    await advanceTo(Date.parse(hold.deadline ?? '') + 2 * HOUR);
    const transferred = await county.api.post<Hold>(
      `/v1/tenants/${county.tenantId}/holds/${hold.holdId}/transfer`,
      {
        key: county.jail,
        body: { transferredAt: iso(now()), receivingOfficer: 'ERO Officer Lee' },
      },
    );
    expect(transferred.body).toMatchObject({ status: 'TRANSFERRED', late: true, needsReview: true });
  });

  it('a service reported more than 48 h late is created straight as OVERDUE, with no timer', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now() - 50 * HOUR));
    expect(hold).toMatchObject({ status: 'OVERDUE', needsReview: true });
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([]);
    expect((await events(county, hold.holdId)).map((event) => event.type)).toEqual([
      'hold.created',
      'hold.release_due',
      'hold.overdue',
    ]);
  });

  it('an IGSA hold has no deadline and no timer', async () => {
    const county = await newCounty({ igsa: true });
    const hold = await serveHold(county, iso(now()), { basis: 'IGSA' });
    expect(hold).toMatchObject({ basis: 'IGSA', status: 'ACTIVE' });
    expect(hold.deadline).toBeUndefined();
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([]);
    await advanceTo(now() + 72 * HOUR);
    expect((await readHold(county, hold.holdId)).status).toBe('ACTIVE');
  });
});

describe('duplicate, stale and early fires', () => {
  it('change nothing', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now()));
    const timer = createHoldTimerHandler(runtime().deps);
    const payload = {
      tenantId: county.tenantId,
      holdId: hold.holdId,
      step: 'RELEASE_DUE',
      dueAt: hold.releaseDueAt,
    };

    // Early: nothing due yet; the timer is re-armed, the hold untouched.
    expect(await timer(payload)).toEqual({ rearmed: true });
    expect((await readHold(county, hold.holdId)).version).toBe(1);

    await advanceTo(Date.parse(hold.releaseDueAt ?? ''));
    const afterStep = await readHold(county, hold.holdId);
    expect(afterStep).toMatchObject({ status: 'RELEASE_DUE', version: 2 });

    // Duplicate of the fire that already happened.
    await timer(payload);
    await timer(payload);
    expect(await readHold(county, hold.holdId)).toEqual(afterStep);

    // Fire for a terminal hold.
    await county.api.post(`/v1/tenants/${county.tenantId}/holds/${hold.holdId}/release`, {
      key: county.jail,
      body: { releasedAt: iso(now()) },
    });
    const released = await readHold(county, hold.holdId);
    expect(released.status).toBe('RELEASED');
    await advanceTo(Date.parse(hold.deadline ?? '') + HOUR);
    await timer({ ...payload, step: 'OVERDUE', dueAt: hold.deadline });
    expect(await readHold(county, hold.holdId)).toEqual(released);
    expect((await events(county, hold.holdId)).map((event) => event.type)).toEqual([
      'hold.created',
      'hold.release_due',
      'hold.released',
    ]);
  });

  it('a malformed timer event is dropped without throwing', async () => {
    const timer = createHoldTimerHandler(runtime().deps);
    expect(await timer({ holdId: 'not-a-ulid' })).toEqual({ ignored: 'malformed-event' });
  });
});

describe('races: transfer and timer together', () => {
  const transfer = (county: County, hold: Hold) =>
    county.api.post<Hold>(`/v1/tenants/${county.tenantId}/holds/${hold.holdId}/transfer`, {
      key: county.liaison,
      body: { transferredAt: iso(now()), receivingOfficer: 'ERO Officer Lee' },
    });

  it('timer first, then transfer: RELEASE_DUE then TRANSFERRED', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now()));
    await advanceTo(Date.parse(hold.releaseDueAt ?? ''));
    expect((await transfer(county, hold)).body).toMatchObject({ status: 'TRANSFERRED', late: false });
    expect((await events(county, hold.holdId)).map((event) => event.type)).toEqual([
      'hold.created',
      'hold.release_due',
      'hold.transferred',
    ]);
  });

  it('transfer first, then a timer fire: TRANSFERRED stays', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now()));
    runtime().clock.set(new Date(Date.parse(hold.releaseDueAt ?? '')));
    expect((await transfer(county, hold)).body).toMatchObject({ status: 'TRANSFERRED' });
    await createHoldTimerHandler(runtime().deps)({
      tenantId: county.tenantId,
      holdId: hold.holdId,
      step: 'RELEASE_DUE',
      dueAt: hold.releaseDueAt,
    });
    expect((await readHold(county, hold.holdId)).status).toBe('TRANSFERRED');
    expect((await events(county, hold.holdId)).map((event) => event.type)).toEqual([
      'hold.created',
      'hold.transferred',
    ]);
  });

  it('truly concurrent transfer, timer fires and sweeps end in one final state', async () => {
    const county = await newCounty();
    for (let round = 0; round < 8; round++) {
      const hold = await serveHold(county, iso(now()));
      runtime().clock.set(new Date(Date.parse(hold.releaseDueAt ?? '')));
      const timer = createHoldTimerHandler(runtime().deps);
      const sweep = createSweeper(runtime().deps);
      const payload = {
        tenantId: county.tenantId,
        holdId: hold.holdId,
        step: 'RELEASE_DUE',
        dueAt: hold.releaseDueAt,
      };
      const [transferred] = await Promise.all([
        transfer(county, hold),
        timer(payload),
        timer(payload),
        sweep(),
      ]);
      expect(transferred.status, transferred.text).toBe(200);
      const final = await readHold(county, hold.holdId);
      expect(final.status).toBe('TRANSFERRED');
      const types = (await events(county, hold.holdId)).map((event) => event.type);
      expect(types.filter((type) => type === 'hold.transferred')).toHaveLength(1);
      expect(types.filter((type) => type === 'hold.release_due').length).toBeLessThanOrEqual(1);
      expect(final.version).toBe(types.length);
      await advanceTo(now() + 60_000);
    }
  });
});

describe('the backstop sweeper', () => {
  it('performs every step within one sweep interval when schedules are deleted behind the system\u2019s back', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now() + 17_000));
    const { DeleteScheduleCommand } = await import('@aws-sdk/client-scheduler');
    const client = runtime().timers.schedulerClient;
    await client.send(
      new DeleteScheduleCommand({ Name: `${hold.holdId}-release-due`, GroupName: 'wso-holds' }),
    );
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([]);

    const releaseDueAt = Date.parse(hold.releaseDueAt ?? '');
    await advanceTo(releaseDueAt + 60_000);
    const due = (await readHold(county, hold.holdId)) as Hold & { releaseDueMarkedAt: string };
    expect(due.status).toBe('RELEASE_DUE');
    const lateness = Date.parse(due.releaseDueMarkedAt) - releaseDueAt;
    expect(lateness).toBeGreaterThan(0);
    expect(lateness).toBeLessThanOrEqual(60_000);
    // The sweeper re-armed the next step; lose that one too.
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([`${hold.holdId}-overdue`]);
    await client.send(new DeleteScheduleCommand({ Name: `${hold.holdId}-overdue`, GroupName: 'wso-holds' }));

    const deadline = Date.parse(hold.deadline ?? '');
    await advanceTo(deadline + 60_000);
    const overdue = (await readHold(county, hold.holdId)) as Hold & { overdueMarkedAt: string };
    expect(overdue.status).toBe('OVERDUE');
    expect(Date.parse(overdue.overdueMarkedAt) - deadline).toBeLessThanOrEqual(60_000);
  });

  it('re-arms a timer that CreateSchedule failed to create, and every step happens on time', async () => {
    const county = await newCounty();
    // Every attempt the SDK makes (it retries throttling 3 times in all) fails.
    runtime().timers.scheduler.failNext('CreateSchedule', 'ThrottlingException', SCHEDULER_MAX_ATTEMPTS);
    const hold = await serveHold(county, iso(now()));
    expect(hold.status).toBe('ACTIVE');
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([]);

    // The next sweep (within a minute) re-creates the schedule.
    await advanceTo(now() + 60_000);
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([`${hold.holdId}-release-due`]);

    await advanceTo(Date.parse(hold.deadline ?? ''));
    const overdue = (await readHold(county, hold.holdId)) as Hold & {
      releaseDueMarkedAt: string;
      overdueMarkedAt: string;
    };
    expect(overdue.releaseDueMarkedAt).toBe(hold.releaseDueAt);
    expect(overdue.overdueMarkedAt).toBe(hold.deadline);
  });
});
