/**
 * Builds a state's oversight report from its counter items (pure: no I/O). Every county of the
 * state gets a row for every month of the range, zeros included, so the CSV and the charts are
 * complete grids. Nothing here can carry person data: counter items hold only numbers.
 */

import type { StateCounty } from '../store/report-counters.ts';
import { type Histogram, percentileHours } from './histogram.ts';
import { type COUNTERS, HISTOGRAM_PREFIX } from './hold-figures.ts';
import { monthsBetween } from './months.ts';
import { mergeCounts } from './percentile.ts';
import { REPORT_FIELDS, type ReportField } from './report-fields.ts';
import { coversAll, type MinuteCounts, minuteCountsOf, percentileHoursExact } from './transfer-minutes.ts';

export type Figures = Record<Exclude<ReportField, 'medianHoursToTransfer' | 'p95HoursToTransfer'>, number> & {
  medianHoursToTransfer: number | null;
  p95HoursToTransfer: number | null;
};

export interface MonthFigures extends Figures {
  month: string;
}

export interface CountyReport {
  tenantId: string;
  countyFips: string;
  name: string;
  timeZone: string;
  months: MonthFigures[];
  totals: Figures;
}

export interface StateReport {
  state: string;
  from: string;
  to: string;
  /** When "now" was for the overdue minutes of holds still open. */
  generatedAt: string;
  /** How figures are attributed to months. */
  monthBasis: 'servedAt in the county time zone';
  counties: CountyReport[];
  /** State-wide figures of each month (percentiles from the merged minute counts). */
  monthlyTotals: MonthFigures[];
  totals: Figures;
}

type SummedField = Exclude<ReportField, 'medianHoursToTransfer' | 'p95HoursToTransfer'>;
const SUMMED_FIELDS = REPORT_FIELDS.filter(
  (field): field is SummedField => field !== 'medianHoursToTransfer' && field !== 'p95HoursToTransfer',
);

interface Cell {
  figures: Figures;
  histogram: Histogram;
  /** Exact minutes to transfer, or null where they do not cover every transfer (older counters). */
  minutes: MinuteCounts | null;
}

/**
 * The median and p95, exact to the minute where the minute counts cover every transfer; otherwise
 * (counters written before the minutes existed) the histogram's bucket bounds, as reported then.
 */
function transferPercentiles(
  histogram: Histogram,
  minutes: MinuteCounts | null,
): Pick<Figures, 'medianHoursToTransfer' | 'p95HoursToTransfer'> {
  const percentile = (percent: number) =>
    minutes ? percentileHoursExact(minutes, percent) : percentileHours(histogram, percent);
  return { medianHoursToTransfer: percentile(50), p95HoursToTransfer: percentile(95) };
}

const number = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function histogramOf(item: Record<string, unknown>): Map<number, number> {
  const histogram = new Map<number, number>();
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(HISTOGRAM_PREFIX)) continue;
    const count = number(value);
    if (count > 0) histogram.set(Number(name.slice(HISTOGRAM_PREFIX.length)), count);
  }
  return histogram;
}

/** One county-month from its counter item (or from nothing: all zeros). */
function cellOf(item: Record<string, unknown> | undefined, nowSeconds: number): Cell {
  const raw = (name: (typeof COUNTERS)[number]) => number(item?.[name]);
  const histogram = item ? histogramOf(item) : new Map<number, number>();
  const counted = item ? minuteCountsOf(item) : new Map<number, number>();
  const minutes = coversAll(counted, histogram) ? counted : null;
  const openOverdueSeconds = raw('openOverdue') * nowSeconds - raw('openOverdueDeadlineSeconds');
  const figures: Figures = {
    warrantsServed: raw('warrantsServed'),
    holdsOpened: raw('holdsOpened'),
    transferredInTime: raw('transferredInTime'),
    transferredLate: raw('transferredLate'),
    releasedByDeadline: raw('releasedByDeadline'),
    releasedLate: raw('releasedLate'),
    overdue: raw('overdue'),
    overdueMinutes: Math.round((raw('overdueSecondsClosed') + Math.max(0, openOverdueSeconds)) / 60),
    cancelled: raw('cancelled'),
    igsaHolds: raw('igsaHolds'),
    open: raw('open'),
    reviewsOpen: raw('reviewsOpen'),
    reviewsClosed: raw('reviewsClosed'),
    officersCredentialed: raw('officersCredentialed'),
    ...transferPercentiles(histogram, minutes),
  };
  return { figures, histogram, minutes };
}

/**
 * Sums of the counts (overdueMinutes: of the rounded rows, so a CSV column adds up) and merged
 * percentiles: exact when every cell is, else from the merged histograms.
 */
function totalOf(cells: readonly Cell[]): Cell {
  const histogram = mergeCounts(cells.map((cell) => cell.histogram));
  const exact = cells.flatMap((cell) => (cell.minutes ? [cell.minutes] : []));
  const minutes = exact.length === cells.length ? mergeCounts(exact) : null;
  const sums = Object.fromEntries(
    SUMMED_FIELDS.map((field) => [field, cells.reduce((sum, cell) => sum + cell.figures[field], 0)]),
  ) as Record<SummedField, number>;
  return {
    figures: {
      ...sums,
      ...transferPercentiles(histogram, minutes),
    },
    histogram,
    minutes,
  };
}

export interface ReportInput {
  state: string;
  from: string;
  to: string;
  now: Date;
  counties: readonly StateCounty[];
  counterItems: readonly Record<string, unknown>[];
}

export function buildStateReport(input: ReportInput): StateReport {
  const nowSeconds = Math.floor(input.now.getTime() / 1000);
  const months = monthsBetween(input.from, input.to);
  const byKey = new Map<string, Record<string, unknown>>();
  for (const item of input.counterItems) byKey.set(`${String(item.tenantId)}#${String(item.month)}`, item);
  const allCells: Cell[] = [];
  const byMonth: Cell[][] = months.map(() => []);
  const counties = input.counties.map((county): CountyReport => {
    const cells = months.map((month) => cellOf(byKey.get(`${county.tenantId}#${month}`), nowSeconds));
    allCells.push(...cells);
    for (const [index, cell] of cells.entries()) byMonth[index]?.push(cell);
    return {
      tenantId: county.tenantId,
      countyFips: county.countyFips,
      name: county.name,
      timeZone: county.timeZone,
      months: cells.map((cell, index) => ({ month: months[index] ?? '', ...cell.figures })),
      totals: totalOf(cells).figures,
    };
  });
  return {
    state: input.state,
    from: input.from,
    to: input.to,
    generatedAt: input.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    monthBasis: 'servedAt in the county time zone',
    counties,
    monthlyTotals: byMonth.map((cells, index) => ({ month: months[index] ?? '', ...totalOf(cells).figures })),
    totals: totalOf(allCells).figures,
  };
}
