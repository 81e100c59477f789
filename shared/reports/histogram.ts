/**
 * Time-to-transfer histogram: fine where the 48-hour rule lives, coarse past it, so a county-month
 * keeps at most 281 small counters and the median and p95 stay exact to the bucket.
 *
 * Buckets are closed at the top, `(lower, upper]` in minutes (0 falls in the first):
 *   0..191    15-minute buckets up to 48 h (0.25 h resolution for the figures that matter)
 *   192..239  1-hour buckets from 48 h to 96 h
 *   240..279  6-hour buckets from 96 h to 336 h (14 days)
 *   280       everything longer than 14 days
 * A percentile is reported as the upper bound of the bucket holding the nearest-rank value:
 * "half of the transfers happened within 6.25 hours". The report uses it only where the exact
 * minutes (transfer-minutes.ts) are missing: counters written before they existed.
 */
import { nearestRank } from './percentile.ts';

export const HISTOGRAM_BUCKETS = 281;
export const OVERFLOW_BUCKET = HISTOGRAM_BUCKETS - 1;
const FINE_END_MIN = 48 * 60;
const HOURLY_END_MIN = 96 * 60;
const COARSE_END_MIN = 336 * 60;
const FINE_BUCKETS = FINE_END_MIN / 15;
const HOURLY_BUCKETS = (HOURLY_END_MIN - FINE_END_MIN) / 60;

/** The bucket of a duration given in seconds. */
export function bucketOf(seconds: number): number {
  const minutes = Math.max(0, seconds) / 60;
  if (minutes <= FINE_END_MIN) return Math.max(0, Math.ceil(minutes / 15) - 1);
  if (minutes <= HOURLY_END_MIN) return FINE_BUCKETS + Math.ceil((minutes - FINE_END_MIN) / 60) - 1;
  if (minutes <= COARSE_END_MIN) {
    return FINE_BUCKETS + HOURLY_BUCKETS + Math.ceil((minutes - HOURLY_END_MIN) / 360) - 1;
  }
  return OVERFLOW_BUCKET;
}

/** The upper bound of a bucket in hours; the overflow bucket reports its lower bound, 336 h. */
export function bucketUpperHours(bucket: number): number {
  if (bucket < FINE_BUCKETS) return ((bucket + 1) * 15) / 60;
  if (bucket < FINE_BUCKETS + HOURLY_BUCKETS) return (FINE_END_MIN + (bucket - FINE_BUCKETS + 1) * 60) / 60;
  if (bucket < OVERFLOW_BUCKET) {
    return (HOURLY_END_MIN + (bucket - FINE_BUCKETS - HOURLY_BUCKETS + 1) * 360) / 60;
  }
  return COARSE_END_MIN / 60;
}

/** Counts by bucket index; absent buckets are empty. */
export type Histogram = ReadonlyMap<number, number>;

/** The nearest-rank percentile (percentile.ts) in hours, as its bucket's upper bound; null when empty. */
export function percentileHours(histogram: Histogram, percent: number): number | null {
  const bucket = nearestRank(histogram, percent);
  return bucket === null ? null : bucketUpperHours(bucket);
}
