/** Latency and throughput arithmetic for the benchmark: pure, unit-tested. */

/**
 * The q-quantile (0 ≤ q ≤ 1) of a sample by the nearest-rank method: the smallest value with at
 * least q of the sample at or below it. NaN for an empty sample.
 */
export function percentile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile out of range: ${q}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

export interface RunSummary {
  ops: number;
  /** Operations per second over the summed wall time of the measured batches. */
  throughput: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Summarizes per-operation latencies (ms) measured over `wallMs` of wall-clock time. */
export function summarize(latencies: readonly number[], wallMs: number): RunSummary {
  const ops = latencies.length;
  return {
    ops,
    throughput: wallMs > 0 ? (ops * 1000) / wallMs : 0,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    mean: ops === 0 ? Number.NaN : latencies.reduce((sum, value) => sum + value, 0) / ops,
  };
}

/** `part` as a percentage of `whole`, e.g. API throughput as a share of raw. */
export const ratioPercent = (part: number, whole: number): number => (whole > 0 ? (100 * part) / whole : 0);
