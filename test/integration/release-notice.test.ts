import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.ts';
import { computeDeadlines } from '../../shared/domain/deadline-policy.ts';
import type { Hold, HoldStep } from '../../shared/domain/hold.ts';
import { NC_PROFILE } from '../../shared/jurisdictions/profiles/nc.ts';
import type { Tenant } from '../../shared/schemas/tenant.ts';
import type { HoldEvent } from '../../shared/store/holds.ts';
import { tenantPk } from '../../shared/store/keys.ts';
import { toIsoSeconds } from '../../shared/util/time.ts';
import { type County, onboardCounty, readHold, schedulesOf, serveHold } from '../support/custody.ts';
import { expectProblem, issueKey, tenantBody } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

/** State profiles on the virtual clock: the pre-release notice step, county leads, recomputable deadlines. */

const runtime = useRuntime();
const HOUR = 3_600_000;
const MINUTE = 60_000;
const STATE_LEAD = NC_PROFILE.preReleaseNoticeLeadMinutes;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const now = () => runtime().clock.now().getTime();
const advanceTo = (ms: number) => runtime().advanceTo(new Date(ms));

let countyCount = 0;

/**
 * support/custody.ts onboards Florida counties; this does the same for any state: a facility, a
 * credentialed officer and a key for every tenant role, through the API.
 */
async function onboardStateCounty(
  rt: LocalRuntime,
  state: string,
  releaseLeadMinutes?: number,
): Promise<County> {
  const tenantId = `notice-${state.toLowerCase()}-${++countyCount}`;
  const api = new ApiClient(rt.url);
  const created = await api.post('/v1/tenants', {
    key: rt.adminKey,
    body: tenantBody(tenantId, state, releaseLeadMinutes === undefined ? {} : { releaseLeadMinutes }),
  });
  expect(created.status, created.text).toBe(201);
  const admin = (await issueKey(api, rt.adminKey, tenantId, 'county-admin')).apiKey;
  const jail = (await issueKey(api, admin, tenantId, 'jail-system')).apiKey;
  const liaison = (await issueKey(api, admin, tenantId, 'ice-liaison')).apiKey;
  const facilityId = 'main-jail';
  const officerId = 'off-1';
  // In order: the officer's facility must exist before the officer is nominated.
  const facility = await api.post(`/v1/tenants/${tenantId}/facilities`, {
    key: admin,
    body: { facilityId, name: 'Main Jail' },
  });
  expect(facility.status, facility.text).toBe(201);
  const nominated = await api.post(`/v1/tenants/${tenantId}/officers`, {
    key: admin,
    body: { officerId, name: 'Dana Reyes', badgeNumber: 'B-100', facilityIds: [facilityId] },
  });
  expect(nominated.status, nominated.text).toBe(201);
  const credentialed = await api.post(`/v1/tenants/${tenantId}/officers/${officerId}/credential`, {
    key: liaison,
    body: {
      backgroundCheckPassedOn: '2026-01-05',
      trainedOn: '2026-01-10',
      credentialNumber: 'WSO-0001',
      expiresOn: '2028-01-10',
    },
  });
  expect(credentialed.status, credentialed.text).toBe(200);
  const officerKey = (await issueKey(api, admin, tenantId, 'wso-officer', { officerId })).apiKey;
  return { tenantId, admin, jail, liaison, officerKey, officerId, facilityId, api };
}

const events = async (county: County, holdId: string) =>
  (
    await county.api.get<{ items: HoldEvent[] }>(`/v1/tenants/${county.tenantId}/holds/${holdId}/events`, {
      key: county.admin,
    })
  ).body.items.map((event) => [event.type, event.occurredAt]);

const patchTenant = (county: County, body: unknown) =>
  county.api.patch<Tenant>(`/v1/tenants/${county.tenantId}`, { key: county.admin, body });

async function outboxTypes(county: County): Promise<string[]> {
  const { db } = runtime().deps;
  const page = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :outbox)',
      ExpressionAttributeValues: { ':pk': tenantPk(county.tenantId), ':outbox': 'OUTBOX#' },
      ConsistentRead: true,
    }),
  );
  return (page.Items ?? []).map((item) => String(item.type));
}

describe('North Carolina\u2019s pre-release notice', () => {
  it('emits hold.release_notice exactly at its lead before release-due, then release_due, then overdue', async () => {
    const county = await onboardStateCounty(runtime(), 'NC');
    const servedAt = iso(now());
    const hold = await serveHold(county, servedAt);
    const deadline = Date.parse(servedAt) + 48 * HOUR;
    const releaseDueAt = deadline - 60 * MINUTE;
    const noticeAt = releaseDueAt - STATE_LEAD * MINUTE;
    expect(hold).toMatchObject({
      status: 'ACTIVE',
      deadline: iso(deadline),
      releaseDueAt: iso(releaseDueAt),
      nextStep: 'RELEASE_NOTICE',
      nextActionAt: iso(noticeAt),
      rule: {
        id: 'WSO-48H',
        version: 1,
        inputs: { servedAt, releaseLeadMinutes: 60, releaseNoticeLeadMinutes: STATE_LEAD },
      },
    });
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([`${hold.holdId}-release-notice`]);

    await advanceTo(noticeAt - 1000);
    expect((await readHold(county, hold.holdId)).releaseNoticeAt).toBeUndefined();
    await advanceTo(noticeAt);
    const noticed = await readHold(county, hold.holdId);
    expect(noticed).toMatchObject({
      status: 'ACTIVE',
      releaseNoticeAt: iso(noticeAt),
      nextStep: 'RELEASE_DUE',
      nextActionAt: iso(releaseDueAt),
    });
    expect(schedulesOf(runtime(), hold.holdId)).toEqual([`${hold.holdId}-release-due`]);

    await advanceTo(deadline);
    expect(await readHold(county, hold.holdId)).toMatchObject({
      status: 'OVERDUE',
      releaseNoticeAt: iso(noticeAt),
    });
    expect(await events(county, hold.holdId)).toEqual([
      ['hold.created', servedAt],
      ['hold.release_notice', iso(noticeAt)],
      ['hold.release_due', iso(releaseDueAt)],
      ['hold.overdue', iso(deadline)],
    ]);
    // A notification like the other steps: written to the outbox in the same transaction.
    expect(await outboxTypes(county)).toContain('hold.release_notice');
  });

  it('a county may ask for earlier notice (used for its next holds), never later (422)', async () => {
    const county = await onboardStateCounty(runtime(), 'NC', 90);
    const shown = await county.api.get<Tenant>(`/v1/tenants/${county.tenantId}`, { key: county.admin });
    expect(shown.body.jurisdiction).toMatchObject({
      profile: 'NC',
      statePreReleaseNoticeLeadMinutes: STATE_LEAD,
      effectiveReleaseNoticeLeadMinutes: STATE_LEAD,
    });

    const later = await patchTenant(county, { releaseNoticeLeadMinutes: STATE_LEAD - 1 });
    expectProblem(later, 422, 'release-notice-later-than-state');
    expect((later.body as unknown as { detail: string }).detail).toContain(`${STATE_LEAD} minutes`);
    expect(
      (await county.api.get<Tenant>(`/v1/tenants/${county.tenantId}`, { key: county.admin })).body.version,
    ).toBe(shown.body.version);

    const earlier = STATE_LEAD + 60;
    const patched = await patchTenant(county, { releaseNoticeLeadMinutes: earlier });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      releaseNoticeLeadMinutes: earlier,
      jurisdiction: { effectiveReleaseNoticeLeadMinutes: earlier },
    });

    const servedAt = iso(now());
    const hold = await serveHold(county, servedAt);
    const noticeAt = Date.parse(servedAt) + 48 * HOUR - 90 * MINUTE - earlier * MINUTE;
    expect(hold.rule.inputs).toEqual({ servedAt, releaseLeadMinutes: 90, releaseNoticeLeadMinutes: earlier });
    expect(hold.nextActionAt).toBe(iso(noticeAt));
    await advanceTo(noticeAt);
    expect((await events(county, hold.holdId)).at(-1)).toEqual(['hold.release_notice', iso(noticeAt)]);

    // null hands the lead back to the state; the hold already served keeps its own.
    const reset = await patchTenant(county, { releaseNoticeLeadMinutes: null });
    expect(reset.status, reset.text).toBe(200);
    expect(reset.body.releaseNoticeLeadMinutes).toBeUndefined();
    expect(reset.body.jurisdiction?.effectiveReleaseNoticeLeadMinutes).toBe(STATE_LEAD);
    expect((await readHold(county, hold.holdId)).rule.inputs.releaseNoticeLeadMinutes).toBe(earlier);
  });

  it('a state without a notice duty has no notice step, unless the county asks for one', async () => {
    const county = await onboardCounty(runtime(), `notice-fl-${++countyCount}`);
    const plain = await serveHold(county, iso(now()));
    expect(plain).toMatchObject({
      nextStep: 'RELEASE_DUE',
      rule: { inputs: { releaseNoticeLeadMinutes: 0 } },
    });
    expect((await patchTenant(county, { releaseNoticeLeadMinutes: 30 })).status).toBe(200);
    const noticed = await serveHold(county, iso(now()));
    expect(noticed).toMatchObject({
      nextStep: 'RELEASE_NOTICE',
      rule: { inputs: { releaseNoticeLeadMinutes: 30 } },
    });
    expectProblem(
      await patchTenant(county, { releaseNoticeLeadMinutes: 24 * 60 + 1 }),
      400,
      'validation-error',
    );
  });
});

describe('the rule on every hold', () => {
  it('recomputes every stored deadline, release-due, notice and next step from rule id, version and inputs', async () => {
    const nc = await onboardStateCounty(runtime(), 'NC', 45);
    const fl = await onboardCounty(runtime(), `notice-fl-${++countyCount}`, { releaseLeadMinutes: 120 });
    const igsa = await onboardCounty(runtime(), `notice-fl-${++countyCount}`, { igsa: true });
    const start = now();
    await serveHold(nc, iso(start - 3 * HOUR));
    await serveHold(nc, iso(start - 50 * HOUR));
    await serveHold(fl, iso(start));
    await serveHold(fl, iso(start - 47 * HOUR));
    expect((await patchTenant(nc, { releaseNoticeLeadMinutes: STATE_LEAD + 30 })).status).toBe(200);
    await serveHold(nc, iso(start - 1 * HOUR));
    await serveHold(igsa, iso(start), { basis: 'IGSA' });
    // Let some steps fire, so holds are in every open state.
    await advanceTo(start + 44 * HOUR);

    const stepTime = (deadlines: ReturnType<typeof computeDeadlines>, step: HoldStep): Date | undefined =>
      step === 'RELEASE_NOTICE'
        ? deadlines.releaseNoticeAt
        : step === 'RELEASE_DUE'
          ? deadlines.releaseDueAt
          : deadlines.deadline;
    let checked = 0;
    for (const county of [nc, fl, igsa]) {
      const page = await county.api.get<{ items: Hold[] }>(`/v1/tenants/${county.tenantId}/holds`, {
        key: county.admin,
      });
      for (const hold of page.body.items) {
        if (hold.basis === 'IGSA') {
          expect(hold.deadline).toBeUndefined();
          continue;
        }
        const recomputed = computeDeadlines(hold.rule, hold.rule.inputs);
        expect(toIsoSeconds(recomputed.deadline), hold.holdId).toBe(hold.deadline);
        expect(toIsoSeconds(recomputed.releaseDueAt), hold.holdId).toBe(hold.releaseDueAt);
        expect(hold.rule.inputs.servedAt).toBe(hold.servedAt);
        // releaseNoticeAt records when the notice went out: on time, or at once for a service reported late.
        if (hold.releaseNoticeAt) {
          const planned = recomputed.releaseNoticeAt?.getTime() ?? Number.NaN;
          expect(Date.parse(hold.releaseNoticeAt), hold.holdId).toBeGreaterThanOrEqual(planned);
          expect(Date.parse(hold.releaseNoticeAt), hold.holdId).toBe(
            Math.max(planned, Date.parse(hold.createdAt)),
          );
        }
        if (hold.nextStep) {
          expect(toIsoSeconds(stepTime(recomputed, hold.nextStep) ?? new Date(0)), hold.holdId).toBe(
            hold.nextActionAt,
          );
        }
        checked++;
      }
    }
    expect(checked).toBe(5);
  });
});
