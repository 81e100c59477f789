import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Hold } from '../../shared/domain/hold.ts';
import type { StateReport } from '../../shared/reports/state-report.ts';
import type { HoldEvent } from '../../shared/store/holds.ts';
import { tenantPk } from '../../shared/store/keys.ts';
import { expectRoles, keysOf } from '../support/access.ts';
import { type County, onboardCounty, readHold, serveHold } from '../support/custody.ts';
import { expectProblem } from '../support/fixtures.ts';
import { useRuntime } from '../support/runtime.ts';

/** The county's review of late and overdue holds: its liability record (DESIGN.md §3). */

const runtime = useRuntime();
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const now = () => runtime().clock.now().getTime();

let countyCount = 0;
const newCounty = (): Promise<County> => onboardCounty(runtime(), `review-${++countyCount}`);

const reviewPath = (county: County, holdId: string) =>
  `/v1/tenants/${county.tenantId}/holds/${holdId}/review`;
const review = (county: County, holdId: string, body: unknown, key = county.admin) =>
  county.api.post<Hold>(reviewPath(county, holdId), { key, body });

/** A hold reported more than 48 h late: OVERDUE at once, needing review. */
const overdueHold = (county: County) => serveHold(county, iso(now() - 50 * HOUR));

const needingReview = async (county: County, value: 'true' | 'false' = 'true') =>
  (
    await county.api.get<{ items: Hold[] }>(`/v1/tenants/${county.tenantId}/holds?needsReview=${value}`, {
      key: county.admin,
    })
  ).body.items.map((hold) => hold.holdId);

const eventTypes = async (county: County, holdId: string) =>
  (
    await county.api.get<{ items: HoldEvent[] }>(`/v1/tenants/${county.tenantId}/holds/${holdId}/events`, {
      key: county.admin,
    })
  ).body.items.map((event) => event.type);

/** The outbox records of the county (what webhooks would be sent). */
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

describe('POST /v1/tenants/{t}/holds/{holdId}/review', () => {
  it('records the review, clears needsReview, and the hold leaves ?needsReview=true', async () => {
    const county = await newCounty();
    const overdue = await overdueHold(county);
    const fine = await serveHold(county, iso(now()));
    expect(overdue).toMatchObject({ status: 'OVERDUE', needsReview: true });
    expect(await needingReview(county)).toEqual([overdue.holdId]);
    expect(await needingReview(county, 'false')).toEqual([fine.holdId]);

    const reviewed = await review(county, overdue.holdId, {
      reasonCode: 'DATA_ENTERED_LATE',
      note: 'Service was entered two days after it happened.',
    });
    expect(reviewed.status, reviewed.text).toBe(200);
    expect(reviewed.body).toMatchObject({
      status: 'OVERDUE',
      needsReview: false,
      version: overdue.version + 1,
      review: {
        reasonCode: 'DATA_ENTERED_LATE',
        note: 'Service was entered two days after it happened.',
        reviewedAt: iso(now()),
        reviewedBy: expect.any(String),
      },
    });
    expect(await readHold(county, overdue.holdId)).toEqual(reviewed.body);
    expect(await needingReview(county)).toEqual([]);
    expect((await needingReview(county, 'false')).sort()).toEqual([overdue.holdId, fine.holdId].sort());

    // Audited in the hold's chain, but not a notification: no outbox record, so no webhook.
    expect(await eventTypes(county, overdue.holdId)).toEqual([
      'hold.created',
      'hold.release_due',
      'hold.overdue',
      'hold.reviewed',
    ]);
    expect(await outboxTypes(county)).not.toContain('hold.reviewed');
    const verify = await county.api.get(`/v1/tenants/${county.tenantId}/audit/verify`, { key: county.admin });
    expect(verify.status, verify.text).toBe(200);
    expect(verify.body).toMatchObject({ ok: true });
  });

  it('409 for a hold that does not need a review, or was reviewed already', async () => {
    const county = await newCounty();
    const fine = await serveHold(county, iso(now()));
    expectProblem(await review(county, fine.holdId, { reasonCode: 'COURT_ORDER' }), 409, 'review-not-needed');
    const overdue = await overdueHold(county);
    expect((await review(county, overdue.holdId, { reasonCode: 'ICE_PICKUP_DELAYED' })).status).toBe(200);
    expectProblem(
      await review(county, overdue.holdId, { reasonCode: 'ICE_PICKUP_DELAYED' }),
      409,
      'review-not-needed',
    );
    expect((await readHold(county, fine.holdId)).version).toBe(fine.version);
  });

  it('covers a late release too, and asks again when a hold reviewed while OVERDUE closes late', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now()));
    await runtime().advanceTo(new Date(Date.parse(hold.deadline ?? '') + HOUR));
    expect((await review(county, hold.holdId, { reasonCode: 'ICE_PICKUP_DELAYED' })).status).toBe(200);
    const released = await county.api.post<Hold>(
      `/v1/tenants/${county.tenantId}/holds/${hold.holdId}/release`,
      {
        key: county.jail,
        body: { releasedAt: iso(now()) },
      },
    );
    expect(released.body).toMatchObject({ status: 'RELEASED', late: true, needsReview: true });
    const again = await review(county, hold.holdId, { reasonCode: 'RELEASE_PROCESSING_DELAY' });
    expect(again.body).toMatchObject({
      status: 'RELEASED',
      needsReview: false,
      review: { reasonCode: 'RELEASE_PROCESSING_DELAY' },
    });
    expect((await eventTypes(county, hold.holdId)).filter((type) => type === 'hold.reviewed')).toHaveLength(
      2,
    );
  });

  it('needs a note of 10 or more characters for OTHER; refuses unknown codes and fields, writing nothing', async () => {
    const county = await newCounty();
    const hold = await overdueHold(county);
    for (const body of [
      { reasonCode: 'OTHER' },
      { reasonCode: 'OTHER', note: '  too short ' },
      { reasonCode: 'FORGOT' },
      { reasonCode: 'COURT_ORDER', reviewedBy: 'someone else' },
      {},
    ]) {
      expectProblem(await review(county, hold.holdId, body), 400, 'validation-error');
    }
    const other = await review(county, hold.holdId, { reasonCode: 'OTHER' });
    expect((other.body as unknown as { errors: unknown[] }).errors).toEqual([
      { path: 'body.note', message: 'reasonCode OTHER needs a note of at least 10 characters' },
    ]);
    expect(await readHold(county, hold.holdId)).toEqual(hold);
    const ok = await review(county, hold.holdId, {
      reasonCode: 'OTHER',
      note: 'Jail system outage; logged as incident 42.',
    });
    expect(ok.body).toMatchObject({ needsReview: false, review: { reasonCode: 'OTHER' } });
  });

  it('only the county-admin may review (403 for every other role); another county gets 404', async () => {
    const county = await newCounty();
    const other = await newCounty();
    const hold = await overdueHold(county);
    await expectRoles(keysOf(county, runtime().adminKey), ['county-admin'], (key) =>
      review(county, hold.holdId, { reasonCode: 'COURT_ORDER' }, key),
    );
    const foreign = await overdueHold(other);
    expectProblem(await review(county, foreign.holdId, { reasonCode: 'COURT_ORDER' }, county.admin), 404);
    expectProblem(
      await other.api.post(reviewPath(county, foreign.holdId), {
        key: other.admin,
        body: { reasonCode: 'COURT_ORDER' },
      }),
      404,
      'not-found',
    );
    expect((await readHold(other, foreign.holdId)).needsReview).toBe(true);
  });

  it('moves the county\u2019s oversight figure from reviewsOpen to reviewsClosed', async () => {
    const county = await newCounty();
    const hold = await overdueHold(county);
    const month = hold.servedAt.slice(0, 7);
    const figures = async () => {
      for (let round = 0; round < 20 && (await runtime().drainStreams()) > 0; round++);
      const report = await county.api.get<StateReport>(
        `/v1/oversight/states/FL/report?from=${month}&to=${month}`,
        {
          key: runtime().adminKey,
        },
      );
      expect(report.status, report.text).toBe(200);
      return report.body.counties.find((row) => row.tenantId === county.tenantId)?.totals;
    };
    expect(await figures()).toMatchObject({ reviewsOpen: 1, reviewsClosed: 0 });
    await review(county, hold.holdId, { reasonCode: 'ICE_PICKUP_DELAYED' });
    expect(await figures()).toMatchObject({ reviewsOpen: 0, reviewsClosed: 1 });
  });
});
