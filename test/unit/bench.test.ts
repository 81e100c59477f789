import { describe, expect, it } from 'vitest';
import { profile, unitsOf } from '../../bench/capacity.ts';
import { costOf, DYNAMODB_RRU, DYNAMODB_WRU, emptyUsage, totalUsd } from '../../bench/cost.ts';
import { COUNTY_SCALING_GOAL, countyScalingRatio, renderCountyScaling } from '../../bench/report.ts';
import { BENCH_END, BENCH_START, replaceSection } from '../../bench/section.ts';
import { percentile, ratioPercent, summarize } from '../../bench/stats.ts';
import { substitute } from '../../bench/workload.ts';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles of an unsorted sample', () => {
    const sample = [9, 1, 8, 2, 7, 3, 6, 4, 5, 10];
    expect(percentile(sample, 0.5)).toBe(5);
    expect(percentile(sample, 0.99)).toBe(10);
    expect(percentile(sample, 0.9)).toBe(9);
    expect(percentile(sample, 0)).toBe(1);
    expect(percentile([42], 0.99)).toBe(42);
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile(sample, 1.5)).toThrow(RangeError);
  });

  it('p99 of 1..1000 is 990, not the maximum', () => {
    const sample = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(sample, 0.99)).toBe(990);
    expect(percentile(sample, 0.5)).toBe(500);
  });

  it('turns latencies and wall time into throughput', () => {
    const summary = summarize([10, 20, 30, 40], 2000);
    expect(summary.ops).toBe(4);
    expect(summary.throughput).toBe(2);
    expect(summary.mean).toBe(25);
    expect(summary.p50).toBe(20);
    expect(ratioPercent(80, 100)).toBe(80);
    expect(ratioPercent(1, 0)).toBe(0);
  });
});

describe('bench cost arithmetic', () => {
  it('prices units per 1,000 holds', () => {
    const usage = { ...emptyUsage(), writeUnits: 20, readUnits: 4, schedulerApiCalls: 2, lambdaRequests: 3 };
    const lines = costOf(usage, 1000);
    const byItem = Object.fromEntries(lines.map((line) => [line.item, line]));
    expect(byItem['DynamoDB write request units']?.quantity).toBe(20_000);
    expect(byItem['DynamoDB write request units']?.usd).toBeCloseTo(20_000 * 0.625e-6, 12);
    expect(byItem['DynamoDB read request units']?.usd).toBeCloseTo(4_000 * 0.125e-6, 12);
    expect(byItem['Scheduler API calls']?.usd).toBe(0);
    expect(byItem['Lambda requests']?.usd).toBeCloseTo(3_000 * 0.2e-6, 12);
    expect(totalUsd(lines)).toBeCloseTo(0.0125 + 0.0005 + 0.0006, 10);
    expect(DYNAMODB_WRU.usd).toBeGreaterThan(DYNAMODB_RRU.usd);
  });

  it('splits consumed capacity into read and write units', () => {
    expect(unitsOf('GetItem', [{ CapacityUnits: 0.5 }])).toEqual({ read: 0.5, write: 0 });
    expect(unitsOf('auth:GetItem', [{ CapacityUnits: 1 }])).toEqual({ read: 1, write: 0 });
    expect(unitsOf('TransactWriteItems', [{ CapacityUnits: 6 }])).toEqual({ read: 0, write: 6 });
    expect(
      unitsOf('TransactWriteItems', [{ CapacityUnits: 8, ReadCapacityUnits: 2, WriteCapacityUnits: 6 }]),
    ).toEqual({ read: 2, write: 6 });
  });

  it('averages requests and units over samples, the API-key look-up apart', () => {
    const sample = [
      { service: 'dynamodb' as const, name: 'auth:GetItem', input: {}, capacity: [{ CapacityUnits: 1 }] },
      {
        service: 'dynamodb' as const,
        name: 'TransactWriteItems',
        input: {},
        capacity: [{ CapacityUnits: 6, GlobalSecondaryIndexes: { idx: { CapacityUnits: 2 } } }],
      },
      { service: 'scheduler' as const, name: 'CreateSchedule', input: {}, capacity: [] },
    ];
    const result = profile([sample, sample.slice(0, 2)]);
    expect(result.requests).toEqual({ 'auth:GetItem': 1, TransactWriteItems: 1, CreateSchedule: 0.5 });
    expect(result.units).toEqual({ read: 0, write: 6 });
    expect(result.authUnits).toEqual({ read: 1, write: 0 });
    expect(result.indexUnits).toEqual({ idx: 2 });
  });
});

describe('bench report section', () => {
  const section = (body: string) => `${BENCH_START} (generated) -->\n${body}\n${BENCH_END}`;

  it('replaces only its own section', () => {
    const document = `# Performance\n\nintro\n\n${section('old')}\n\n<!-- bundle-report:start -->\nbundles\n<!-- bundle-report:end -->\n`;
    const updated = replaceSection(document, section('new'));
    expect(updated).toBe(
      `# Performance\n\nintro\n\n${section('new')}\n\n<!-- bundle-report:start -->\nbundles\n<!-- bundle-report:end -->\n`,
    );
    expect(replaceSection(updated, section('new'))).toBe(updated);
  });

  it('inserts the section after the title when there is none', () => {
    const document = '# Performance\n\n<!-- bundle-report:start -->\nx\n<!-- bundle-report:end -->\n';
    const updated = replaceSection(document, section('first'));
    expect(updated).toBe(
      `# Performance\n\n${section('first')}\n\n<!-- bundle-report:start -->\nx\n<!-- bundle-report:end -->\n`,
    );
    expect(replaceSection('', section('only'))).toBe(`\n\n${section('only')}\n`);
  });

  it('refuses a section without its markers and a document with a broken one', () => {
    expect(() => replaceSection('# P\n', 'no markers')).toThrow();
    expect(() => replaceSection(`# P\n${BENCH_START} -->\nno end\n`, section('x'))).toThrow(/without/);
  });
});

describe('bench county scaling (issue 14)', () => {
  const run = (throughput: number, failed = 0) => ({ ...summarize([10, 20, 30], 1000), throughput, failed });
  const scaling = (one: number, ten: number, failed = 0) => ({
    writes: 200,
    concurrency: 12,
    oneCounty: run(one, failed),
    tenCounties: run(ten),
  });

  it('reports one county\u2019s write rate as a multiple of ten counties\u2019, against the 0.5x goal', () => {
    expect(COUNTY_SCALING_GOAL).toBe(0.5);
    expect(countyScalingRatio(scaling(30, 40))).toBeCloseTo(0.75, 10);
    expect(countyScalingRatio(scaling(30, 0))).toBe(0);
    const met = renderCountyScaling(scaling(30, 40)).join('\n');
    expect(met).toContain('**0.75x**');
    expect(met).toContain('goal is **met**');
    expect(met).toMatch(/\| one \| 3 \| 0 \| 30\.0 \|/);
    expect(met).toMatch(/\| ten \| 3 \| 0 \| 40\.0 \|/);
    const missed = renderCountyScaling(scaling(10, 40, 7)).join('\n');
    expect(missed).toContain('**0.25x**');
    expect(missed).toContain('goal is **not met**');
    expect(missed).toMatch(/\| one \| 3 \| 7 \|/);
  });
});

describe('bench raw replay', () => {
  it('swaps ids in every string, keys included, and copies deeply', () => {
    const input = { Item: { sk: 'HOLD#A1', list: ['A1', 'B2'], nested: { A1: 'x' }, n: 3, none: null } };
    const swapped = substitute(input, (text) => text.replaceAll('A1', 'Z9'));
    expect(swapped).toEqual({
      Item: { sk: 'HOLD#Z9', list: ['Z9', 'B2'], nested: { Z9: 'x' }, n: 3, none: null },
    });
    expect(input.Item.sk).toBe('HOLD#A1');
  });
});
