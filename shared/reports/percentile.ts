/**
 * The one percentile definition of the oversight report, and the one rounding of its hours.
 *
 * Nearest rank: the p-th percentile of n values is the ceil(p·n/100)-th smallest (integer
 * arithmetic for the rank, so 95 % of 20 is exactly the 19th value). Always a measured value,
 * never an interpolation between two.
 */

/** The nearest-rank value of `counts` (value → how many), or null when it holds no values. */
export function nearestRank(counts: ReadonlyMap<number, number>, percent: number): number | null {
  const entries = [...counts.entries()].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.ceil((percent * total) / 100);
  let seen = 0;
  for (const [value, count] of entries) {
    seen += count;
    if (seen >= rank) return value;
  }
  return entries[entries.length - 1]?.[0] ?? null;
}

/**
 * Report hours are rounded to 0.01 h, the two decimals the dashboard prints: consecutive whole
 * minutes (1/60 h apart) stay distinct, and the histogram's quarter hours are unchanged.
 */
export const reportHours = (hours: number): number => Math.round(hours * 100) / 100;

/** Adds value → count maps (histograms, minute counts) of several cells. */
export function mergeCounts(all: readonly ReadonlyMap<number, number>[]): Map<number, number> {
  const merged = new Map<number, number>();
  for (const counts of all) {
    for (const [value, count] of counts) merged.set(value, (merged.get(value) ?? 0) + count);
  }
  return merged;
}

/** How many values a value → count map holds. */
export const totalCount = (counts: ReadonlyMap<number, number>): number =>
  [...counts.values()].reduce((sum, count) => sum + count, 0);
