/**
 * Exact time to transfer: per county-month, how many transfers took each whole number of minutes,
 * one number attribute per minute value (`tm#<minutes in base 36>`, top level, so ADD creates it).
 * The median and p95 are then computed exactly, to the minute, when the report is read.
 *
 * Size bound (DynamoDB items are at most 400 KB): a county-month holds at most one attribute per
 * distinct minute value, so at most min(transfers that month, 20,161) of them, because durations
 * past 14 days (20,160 min) share one overflow value, reported as 336 h like the histogram's last
 * bucket. An attribute is ≤ 6 bytes of name (`tm#` + ≤ 3 base-36 digits: 20,160 is `fk0`) and
 * ≤ 4 bytes of number (a count below 10^5), so ≤ 10 bytes: 5,000 transfers a month take ≤ 50 KB;
 * transfers within 48 h (≤ 2,881 values) ≤ 29 KB whatever their number; the theoretical worst case,
 * every minute of 14 days taken (> 20,000 transfers in one county-month), ≈ 202 KB. Plus the
 * histogram's ≤ 281 attributes (≈ 3 KB) and the fixed counters.
 */
import { nearestRank, reportHours, totalCount } from './percentile.ts';

export const TRANSFER_MINUTES_PREFIX = 'tm#';
/** 14 days: longer transfers are counted at this value. */
export const MAX_TRANSFER_MINUTES = 336 * 60;

/** Whole minutes of a duration in seconds (nearest minute), capped at 14 days. */
export const transferMinutes = (seconds: number): number =>
  Math.min(MAX_TRANSFER_MINUTES, Math.max(0, Math.round(seconds / 60)));

export const transferMinutesAttribute = (seconds: number): string =>
  `${TRANSFER_MINUTES_PREFIX}${transferMinutes(seconds).toString(36)}`;

/** Counts by whole minutes to transfer; absent values are zero. Counts may be negative (see below). */
export type MinuteCounts = ReadonlyMap<number, number>;

/** The minute counts stored on a counter item (attributes of other names are ignored). */
export function minuteCountsOf(item: Record<string, unknown>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(TRANSFER_MINUTES_PREFIX) || typeof value !== 'number') continue;
    const minutes = Number.parseInt(name.slice(TRANSFER_MINUTES_PREFIX.length), 36);
    if (Number.isInteger(minutes) && value !== 0) counts.set(minutes, value);
  }
  return counts;
}

/**
 * Whether the minute counts describe every transfer the histogram counts. Counters written before
 * the minutes existed have only histogram buckets; a later change to such a hold subtracts its
 * minute value without ever having added it. Either way the minutes fall short of the histogram's
 * total (or go negative), and the report falls back to the histogram for that county-month.
 */
export function coversAll(minutes: MinuteCounts, histogram: ReadonlyMap<number, number>): boolean {
  return [...minutes.values()].every((count) => count > 0) && totalCount(minutes) === totalCount(histogram);
}

/** The nearest-rank percentile in report hours, or null without transfers. */
export function percentileHoursExact(minutes: MinuteCounts, percent: number): number | null {
  const value = nearestRank(minutes, percent);
  return value === null ? null : reportHours(value / 60);
}
