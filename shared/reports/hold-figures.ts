/**
 * What one hold contributes to its county-month's report counters (pure). The stream consumer
 * adds `figures(new image) − figures(old image)` for every change, so the counters always equal
 * the sum over the current state of every hold, whatever order or number of steps got it there.
 *
 * Definitions (the report's documentation points here):
 * - warrantsServed: every recorded service (WSO and IGSA bases); holdsOpened: WSO holds, which
 *   start the 48-hour clock; igsaHolds: IGSA holds (no clock). warrantsServed = holdsOpened + igsaHolds.
 *   Every other figure counts WSO holds only: IGSA holds are reported separately (DESIGN.md §3).
 * - transferredInTime / transferredLate: TRANSFERRED with `transferredAt` at or before / after the
 *   deadline. releasedByDeadline / releasedLate: the same for RELEASED. These follow the facts, not
 *   when they were reported: a transfer made in time but entered late is in time.
 * - overdue: held past the deadline — closed by a late fact, or still open in status OVERDUE.
 * - overdueMinutes: for those holds, the time from the deadline to the closing fact, or to the
 *   time of the report for holds still open; summed per county-month and rounded to whole minutes.
 *   Open holds are kept as a count and a sum of deadlines, so the report computes "to now" exactly.
 * - cancelled: warrant withdrawn before the deadline. open: still ACTIVE, RELEASE_DUE or OVERDUE.
 * - reviewsOpen / reviewsClosed: holds that need a county review (late or overdue), not yet / already reviewed.
 * - time to transfer: transferredAt − servedAt of every TRANSFERRED hold, in whole minutes
 *   (transfer-minutes.ts: what the median and p95 are computed from) and in the histogram
 *   (histogram.ts: kept so counters written before the minutes existed can still be told apart).
 */
import * as z from 'zod';
import { bucketOf } from './histogram.ts';
import { transferMinutesAttribute } from './transfer-minutes.ts';

/** The fields of a stream image of a hold that the figures read (images carry more). */
export const holdImage = z.object({
  holdId: z.string(),
  tenantId: z.string(),
  basis: z.enum(['WSO', 'IGSA']),
  status: z.enum(['ACTIVE', 'RELEASE_DUE', 'OVERDUE', 'TRANSFERRED', 'RELEASED', 'CANCELLED']),
  servedAt: z.string(),
  deadline: z.string().optional(),
  transferredAt: z.string().optional(),
  releasedAt: z.string().optional(),
  overdueMarkedAt: z.string().optional(),
  late: z.boolean(),
  needsReview: z.boolean(),
  version: z.number().int(),
});
export type HoldImage = z.infer<typeof holdImage>;

/** Additive counters: each is a number attribute of the counter item, changed with ADD. */
export const COUNTERS = [
  'warrantsServed',
  'holdsOpened',
  'igsaHolds',
  'open',
  'transferredInTime',
  'transferredLate',
  'releasedByDeadline',
  'releasedLate',
  'cancelled',
  'overdue',
  /** Deadline → closing fact, of holds closed late. */
  'overdueSecondsClosed',
  /** Open OVERDUE holds and the sum of their deadlines (epoch seconds): "to now" at report time. */
  'openOverdue',
  'openOverdueDeadlineSeconds',
  'reviewsOpen',
  'reviewsClosed',
  'officersCredentialed',
] as const;
export type CounterName = (typeof COUNTERS)[number];

/** Histogram counters are attributes `ttt_000` … `ttt_280` (top level, so ADD can create them). */
export const HISTOGRAM_PREFIX = 'ttt_';
export const histogramAttribute = (bucket: number): string =>
  `${HISTOGRAM_PREFIX}${String(bucket).padStart(3, '0')}`;

export type Deltas = Record<string, number>;

const epochSeconds = (instant: string): number => Math.floor(Date.parse(instant) / 1000);

/** The counters one hold, as it is now, adds to its month. */
export function holdFigures(hold: HoldImage): Deltas {
  const figures: Deltas = { warrantsServed: 1 };
  const isOpen = hold.status === 'ACTIVE' || hold.status === 'RELEASE_DUE' || hold.status === 'OVERDUE';
  if (isOpen) figures.open = 1;
  if (hold.basis === 'IGSA') {
    figures.igsaHolds = 1;
    return figures;
  }
  figures.holdsOpened = 1;
  const deadline = hold.deadline ? epochSeconds(hold.deadline) : undefined;
  if (hold.status === 'TRANSFERRED' && hold.transferredAt) {
    figures[hold.late ? 'transferredLate' : 'transferredInTime'] = 1;
    const seconds = epochSeconds(hold.transferredAt) - epochSeconds(hold.servedAt);
    figures[histogramAttribute(bucketOf(seconds))] = 1;
    figures[transferMinutesAttribute(seconds)] = 1;
  }
  if (hold.status === 'RELEASED') figures[hold.late ? 'releasedLate' : 'releasedByDeadline'] = 1;
  if (hold.status === 'CANCELLED') figures.cancelled = 1;
  const closingFact = hold.status === 'TRANSFERRED' ? hold.transferredAt : hold.releasedAt;
  if (hold.late && closingFact && deadline !== undefined) {
    figures.overdue = 1;
    figures.overdueSecondsClosed = Math.max(0, epochSeconds(closingFact) - deadline);
  }
  if (hold.status === 'OVERDUE' && deadline !== undefined) {
    figures.overdue = 1;
    figures.openOverdue = 1;
    figures.openOverdueDeadlineSeconds = deadline;
  }
  const reviewRequired = hold.late || hold.overdueMarkedAt !== undefined;
  if (hold.needsReview) figures.reviewsOpen = 1;
  else if (reviewRequired) figures.reviewsClosed = 1;
  return figures;
}

/** `after − before`, without zero entries: what one change adds to the counters. */
export function subtractFigures(after: Deltas, before: Deltas): Deltas {
  const deltas: Deltas = {};
  for (const name of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const delta = (after[name] ?? 0) - (before[name] ?? 0);
    if (delta !== 0) deltas[name] = delta;
  }
  return deltas;
}
