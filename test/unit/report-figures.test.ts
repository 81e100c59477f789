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
import { buildStateReport } from '../../shared/reports/state-report.ts';

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
