/**
 * The report stream consumer: keeps the county-month counters and the hold board from the table's
 * change stream. Holds and officers are the only items it reads; every other record is skipped.
 *
 * Exactly once per change: each counter change is written with a marker per (hold, version) in one
 * transaction (see store/report-counters.ts), so redelivery, batch retries and replays count nothing twice.
 */
import * as z from 'zod';
import type { AppDeps } from '../app-deps.ts';
import { boardImage, recordOnBoard } from '../store/hold-board.ts';
import { applyCounterChange } from '../store/report-counters.ts';
import { getTenant } from '../store/tenants.ts';
import type { ChangeRecord } from '../streams/change-record.ts';
import { type Deltas, holdFigures, holdImage, subtractFigures } from './hold-figures.ts';
import { monthIn } from './months.ts';

/** Structurally the stream function's StreamConsumer (functions/stream/app.ts). */
export interface ReportConsumer {
  name: string;
  handle(records: readonly ChangeRecord[], deps: AppDeps): Promise<void>;
}

interface CountyFacts {
  state: string;
  timeZone: string;
}

const officerImage = z.object({
  officerId: z.string(),
  status: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

type Parsed<T> = { success: true; data: T } | { success: false };

export function createReportConsumer(): ReportConsumer {
  // A county's state and time zone never change (PATCH cannot touch them): cache them per container.
  // A miss is not cached: an eventually consistent read may not see a tenant created a moment ago.
  const counties = new Map<string, CountyFacts>();

  async function countyOf(deps: AppDeps, tenantId: string): Promise<CountyFacts | undefined> {
    const key = `${deps.db.tableName}/${tenantId}`;
    const cached = counties.get(key);
    if (cached) return cached;
    const tenant = await getTenant(deps.db, tenantId);
    if (!tenant) return undefined;
    const facts = { state: tenant.state, timeZone: tenant.timeZone };
    counties.set(key, facts);
    return facts;
  }

  async function applyHold(record: ChangeRecord, deps: AppDeps): Promise<void> {
    // A hold is never deleted; if one ever were (a purge), its history must stay in the reports.
    if (record.eventName === 'REMOVE' || !record.newImage) return;
    const after = holdImage.safeParse(record.newImage);
    if (!after.success) {
      deps.logger.warn('report counters: unreadable hold image skipped', { sk: record.sk });
      return;
    }
    const before: Parsed<z.infer<typeof holdImage>> = record.oldImage
      ? holdImage.safeParse(record.oldImage)
      : { success: false };
    const hold = after.data;
    const county = await countyOf(deps, hold.tenantId);
    // Holds exist only under a tenant: a miss is read lag. Fail the batch so it is delivered again,
    // rather than lose the change (the markers keep the retry exactly-once).
    if (!county) throw new Error(`report counters: tenant ${hold.tenantId} not readable yet`);
    const now = deps.clock.now();
    const deltas: Deltas = subtractFigures(holdFigures(hold), before.success ? holdFigures(before.data) : {});
    if (Object.keys(deltas).length > 0) {
      await applyCounterChange(
        deps.db,
        {
          tenantId: hold.tenantId,
          state: county.state,
          month: monthIn(hold.servedAt, county.timeZone),
          subject: `HOLD#${hold.holdId}`,
          version: hold.version,
          deltas,
        },
        now,
      );
    }
    const board = boardImage.safeParse(record.newImage);
    if (board.success) await recordOnBoard(deps.db, board.data, now);
  }

  /** A credential issued (status becomes CREDENTIALED) counts in the month it was recorded. */
  async function applyOfficer(record: ChangeRecord, deps: AppDeps): Promise<void> {
    if (!record.newImage) return;
    const after = officerImage.safeParse(record.newImage);
    if (!after.success || after.data.status !== 'CREDENTIALED') return;
    const before = record.oldImage ? officerImage.safeParse(record.oldImage) : undefined;
    if (before?.success && before.data.status === 'CREDENTIALED') return;
    const tenantId = record.pk.replace(/^TENANT#/, '');
    const county = await countyOf(deps, tenantId);
    if (!county) throw new Error(`report counters: tenant ${tenantId} not readable yet`);
    await applyCounterChange(
      deps.db,
      {
        tenantId,
        state: county.state,
        month: monthIn(after.data.updatedAt, county.timeZone),
        subject: `OFFICER#${after.data.officerId}`,
        version: after.data.version,
        deltas: { officersCredentialed: 1 },
      },
      deps.clock.now(),
    );
  }

  return {
    name: 'report-counters',
    async handle(records, deps) {
      // In order, one at a time: changes of one hold arrive in order, and one county-month's
      // counter item is never written by two transactions of the same batch at once.
      for (const record of records) {
        if (!record.pk.startsWith('TENANT#')) continue;
        if (record.sk.startsWith('HOLD#')) await applyHold(record, deps);
        else if (record.sk.startsWith('OFFICER#')) await applyOfficer(record, deps);
      }
    },
  };
}

export const reportCountersConsumer: ReportConsumer = createReportConsumer();
