import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportToCsv } from '../../shared/reports/csv.ts';
import {
  bucketOf,
  bucketUpperHours,
  HISTOGRAM_BUCKETS,
  percentileHours,
} from '../../shared/reports/histogram.ts';
import { type HoldImage, holdFigures, subtractFigures } from '../../shared/reports/hold-figures.ts';
import { escapeHtml, jsonBlock } from '../../shared/reports/html.ts';
import { addMonths, monthIn, monthSpan, monthsBetween } from '../../shared/reports/months.ts';
import { nearestRank, reportHours } from '../../shared/reports/percentile.ts';
import { buildStateReport } from '../../shared/reports/state-report.ts';
import {
  MAX_TRANSFER_MINUTES,
  minuteCountsOf,
  transferMinutesAttribute,
} from '../../shared/reports/transfer-minutes.ts';

const MIN = 60;
const HOUR = 3600;

describe('time-to-transfer histogram', () => {
  it('has 15-minute buckets to 48 h, hourly to 96 h, 6-hourly to 14 days, then one overflow', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(15 * MIN)).toBe(0);
    expect(bucketOf(15 * MIN + 1)).toBe(1);
    expect(bucketOf(48 * HOUR)).toBe(191);
    expect(bucketOf(48 * HOUR + 1)).toBe(192);
    expect(bucketOf(96 * HOUR)).toBe(239);
    expect(bucketOf(96 * HOUR + 1)).toBe(240);
    expect(bucketOf(336 * HOUR)).toBe(279);
    expect(bucketOf(336 * HOUR + 1)).toBe(HISTOGRAM_BUCKETS - 1);
    expect([0, 191, 192, 239, 240, 279, 280].map(bucketUpperHours)).toEqual([
      0.25, 48, 49, 96, 102, 336, 336,
    ]);
  });

  it('every duration lies at or below its bucket\u2019s upper bound, and above the previous one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 * HOUR }), (seconds) => {
        const bucket = bucketOf(seconds);
        if (bucket < HISTOGRAM_BUCKETS - 1)
          expect(seconds / HOUR).toBeLessThanOrEqual(bucketUpperHours(bucket));
        if (bucket > 0) expect(seconds / HOUR).toBeGreaterThan(bucketUpperHours(bucket - 1));
      }),
    );
  });

  it('reports nearest-rank percentiles as bucket upper bounds', () => {
    const histogram = new Map([
      [bucketOf(2 * HOUR), 10],
      [bucketOf(20 * HOUR), 9],
      [bucketOf(50 * HOUR), 1],
    ]);
    expect(percentileHours(histogram, 50)).toBe(2);
    expect(percentileHours(histogram, 95)).toBe(20);
    expect(percentileHours(histogram, 100)).toBe(50);
    expect(percentileHours(new Map(), 50)).toBeNull();
  });
});

describe('exact time to transfer', () => {
  /** A county-month counter item as the consumer writes it, from transfer durations in seconds. */
  const itemOf = (tenantId: string, month: string, durations: readonly number[]) => {
    const item: Record<string, unknown> = { tenantId, month, holdsOpened: durations.length };
    for (const seconds of durations) {
      for (const [name, delta] of Object.entries(
        holdFigures(
          hold({
            status: 'TRANSFERRED',
            transferredAt: new Date(Date.parse('2026-03-10T12:00:00Z') + seconds * 1000).toISOString(),
          }),
        ),
      )) {
        if (name.startsWith('ttt_') || name.startsWith('tm#')) item[name] = Number(item[name] ?? 0) + delta;
      }
    }
    return item;
  };
  const reportOf = (counterItems: Record<string, unknown>[]) =>
    buildStateReport({
      state: 'FL',
      from: '2026-03',
      to: '2026-04',
      now: new Date('2026-04-15T00:00:00Z'),
      counties: [{ tenantId: 'x-fl', countyFips: '12001', name: 'X', timeZone: 'UTC' }],
      counterItems,
    });
  const percentiles = (figures: {
    medianHoursToTransfer: number | null;
    p95HoursToTransfer: number | null;
  }) => [figures.medianHoursToTransfer, figures.p95HoursToTransfer];

  it('a 1-minute transfer shows 1/60 h, rounded to 0.01 h (not the 0.25 h of its bucket)', () => {
    const report = reportOf([itemOf('x-fl', '2026-03', [60])]);
    expect(percentiles(report.counties[0]?.months[0] ?? report.totals)).toEqual([0.02, 0.02]);
    expect(reportHours(1 / 60)).toBe(0.02);
  });

  it('gives the nearest-rank median and p95 of known transfer times, exact to the minute', () => {
    // 20 transfers: 1..19 hours and 7 minutes, then 47 h 59 min. Nearest rank: median is the
    // 10th (10 h 7 min), p95 the 19th (19 h 7 min); the 20th stays out of the p95.
    const durations = [
      ...Array.from({ length: 19 }, (_, i) => (i + 1) * HOUR + 7 * MIN),
      47 * HOUR + 59 * MIN,
    ];
    const report = reportOf([itemOf('x-fl', '2026-03', [...durations].reverse())]);
    const expected = [reportHours(10 + 7 / 60), reportHours(19 + 7 / 60)];
    expect(expected).toEqual([10.12, 19.12]);
    expect(percentiles(report.counties[0]?.months[0] ?? report.totals)).toEqual(expected);
    expect(percentiles(report.totals)).toEqual(expected);
    // With a 30-minute transfer in April, the county's 21: median rank 11, p95 rank ceil(19.95) = 20.
    const more = reportOf([itemOf('x-fl', '2026-03', durations), itemOf('x-fl', '2026-04', [30 * MIN])]);
    expect(percentiles(more.totals)).toEqual([reportHours(10 + 7 / 60), reportHours(19 + 7 / 60)]);
    expect(percentiles(more.counties[0]?.months[1] ?? more.totals)).toEqual([0.5, 0.5]);
  });

  it('nearest rank is the ceil(p\u00b7n/100)-th smallest value, whatever the counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        (values, percent) => {
          const counts = new Map<number, number>();
          for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
          const sorted = [...values].sort((a, b) => a - b);
          expect(nearestRank(counts, percent)).toBe(sorted[Math.ceil((percent * values.length) / 100) - 1]);
        },
      ),
    );
  });

  it('rounds to the nearest minute, caps at 14 days, and reads back what it wrote', () => {
    const item = Object.fromEntries(
      [89, 90, 20_000 * HOUR].map((seconds) => [transferMinutesAttribute(seconds), 1]),
    );
    expect([...minuteCountsOf({ ...item, month: '2026-03', tenantId: 'x' }).entries()]).toEqual([
      [1, 1],
      [2, 1],
      [MAX_TRANSFER_MINUTES, 1],
    ]);
  });

  it('falls back to the histogram where counters from before the minutes have no exact data', () => {
    // Written by the old code: histogram buckets only (1 min in (0, 15 min], 20 h in (19.75, 20]).
    const legacy = { tenantId: 'x-fl', month: '2026-03', ttt_000: 2, ttt_079: 1 };
    const old = reportOf([legacy]);
    expect(percentiles(old.counties[0]?.months[0] ?? old.totals)).toEqual([0.25, 20]);
    // A month with some transfers counted before and some after: still the histogram, for the month
    // and for any total it is part of; an exact month next to it stays exact.
    const mixed = reportOf([
      { ...legacy, ttt_000: 3, [transferMinutesAttribute(60)]: 1 },
      itemOf('x-fl', '2026-04', [60, 120]),
    ]);
    expect(percentiles(mixed.counties[0]?.months[0] ?? mixed.totals)).toEqual([0.25, 20]);
    expect(percentiles(mixed.counties[0]?.months[1] ?? mixed.totals)).toEqual([0.02, 0.03]);
    expect(percentiles(mixed.totals)).toEqual([0.25, 20]);
    // An old transfer corrected after the change: its old minute is subtracted, never added.
    const corrected = reportOf([
      { ...legacy, [transferMinutesAttribute(60)]: -1, [transferMinutesAttribute(120)]: 1 },
    ]);
    expect(percentiles(corrected.counties[0]?.months[0] ?? corrected.totals)).toEqual([0.25, 20]);
  });
});

describe('months', () => {
  it('attributes an instant to the county\u2019s local month', () => {
    expect(monthIn('2026-04-01T03:30:00Z', 'America/Chicago')).toBe('2026-03');
    expect(monthIn('2026-04-01T03:30:00Z', 'America/New_York')).toBe('2026-03');
    expect(monthIn('2026-04-01T05:30:00Z', 'America/New_York')).toBe('2026-04');
    expect(monthIn('2026-04-01T03:30:00Z', 'UTC')).toBe('2026-04');
  });

  it('counts and lists months across years', () => {
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthSpan('2024-12', '2026-11')).toBe(24);
    expect(addMonths('2026-01', -1)).toBe('2025-12');
  });
});

const hold = (overrides: Partial<HoldImage>): HoldImage => ({
  holdId: '01J00000000000000000000000',
  tenantId: 'pinellas-fl',
  basis: 'WSO',
  status: 'ACTIVE',
  servedAt: '2026-03-10T12:00:00Z',
  deadline: '2026-03-12T12:00:00Z',
  late: false,
  needsReview: false,
  version: 1,
  ...overrides,
});

describe('hold figures', () => {
  it('a late transfer counts as transferred late and overdue, with its minutes past the deadline', () => {
    const figures = holdFigures(
      hold({
        status: 'TRANSFERRED',
        transferredAt: '2026-03-12T14:30:00Z',
        late: true,
        needsReview: true,
        version: 4,
      }),
    );
    expect(figures).toMatchObject({
      warrantsServed: 1,
      holdsOpened: 1,
      transferredLate: 1,
      overdue: 1,
      overdueSecondsClosed: 150 * MIN,
      reviewsOpen: 1,
      ttt_194: 1, // 50.5 h: the hourly bucket (50, 51]
      [`tm#${(50.5 * 60).toString(36)}`]: 1, // and its exact 3,030 minutes
    });
    expect(figures.open).toBeUndefined();
  });

  it('an open OVERDUE hold keeps its deadline for "to now" minutes; an IGSA hold only counts as IGSA', () => {
    expect(holdFigures(hold({ status: 'OVERDUE', overdueMarkedAt: '2026-03-12T12:00:00Z' }))).toMatchObject({
      open: 1,
      overdue: 1,
      openOverdue: 1,
      openOverdueDeadlineSeconds: Date.parse('2026-03-12T12:00:00Z') / 1000,
    });
    expect(
      holdFigures(
        hold({
          basis: 'IGSA',
          deadline: undefined,
          status: 'TRANSFERRED',
          transferredAt: '2026-03-20T00:00:00Z',
        }),
      ),
    ).toEqual({
      warrantsServed: 1,
      igsaHolds: 1,
    });
  });

  it('adding the differences of every step gives the final hold\u2019s figures, whatever the path', () => {
    const states: HoldImage[] = [
      hold({}),
      hold({ status: 'RELEASE_DUE', version: 2 }),
      hold({ status: 'OVERDUE', overdueMarkedAt: '2026-03-12T12:00:00Z', needsReview: true, version: 3 }),
      hold({
        status: 'RELEASED',
        releasedAt: '2026-03-12T12:10:00Z',
        late: true,
        needsReview: true,
        version: 4,
      }),
      hold({ status: 'TRANSFERRED', transferredAt: '2026-03-11T12:00:00Z', version: 2 }),
      hold({ status: 'CANCELLED', version: 2 }),
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...states), { minLength: 1, maxLength: 6 }), (path) => {
        const total: Record<string, number> = {};
        let previous: Record<string, number> = {};
        for (const state of path) {
          const figures = holdFigures(state);
          for (const [name, delta] of Object.entries(subtractFigures(figures, previous))) {
            total[name] = (total[name] ?? 0) + delta;
          }
          previous = figures;
        }
        const nonZero = Object.fromEntries(Object.entries(total).filter(([, value]) => value !== 0));
        expect(nonZero).toEqual(holdFigures(path[path.length - 1] as HoldImage));
      }),
    );
  });
});

describe('rendering', () => {
  const report = buildStateReport({
    state: 'FL',
    from: '2026-03',
    to: '2026-04',
    now: new Date('2026-04-15T00:00:00Z'),
    counties: [{ tenantId: 'x-fl', countyFips: '12001', name: '=HYPERLINK("x"), "County"', timeZone: 'UTC' }],
    counterItems: [
      {
        tenantId: 'x-fl',
        month: '2026-03',
        warrantsServed: 3,
        holdsOpened: 3,
        transferredInTime: 2,
        ttt_010: 1,
        ttt_020: 1,
      },
    ],
  });

  it('fills missing months with zeros and computes percentiles per cell', () => {
    expect(
      report.counties[0]?.months.map((m) => [m.month, m.warrantsServed, m.medianHoursToTransfer]),
    ).toEqual([
      ['2026-03', 3, 2.75],
      ['2026-04', 0, null],
    ]);
  });

  it('writes CSV with quoting and formula injection defused', () => {
    const lines = reportToCsv(report).split('\r\n');
    expect(lines[0]?.startsWith('state,tenantId,countyFips,county,month,warrantsServed')).toBe(true);
    expect(lines[1]).toContain(`"'=HYPERLINK(""x""), ""County"""`);
    expect(lines).toHaveLength(4);
  });

  it('escapes HTML and keeps JSON data blocks from closing their script element', () => {
    expect(escapeHtml('<b a="1">&\'')).toBe('&lt;b a=&quot;1&quot;&gt;&amp;&#39;');
    expect(jsonBlock({ name: '</script><script>alert(1)</script>' })).not.toContain('</script>');
  });
});
