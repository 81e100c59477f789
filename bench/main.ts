/**
 * `npm run bench [-- --ops 300 --concurrency 8 --rounds 15 --warmup 400 --samples 20 --skip-bundle]
 *   [--county-writes 200 --county-concurrency 12] [--only county-scaling|serve-transfer]`
 *
 * Serve-warrant and transfer through the local HTTP runtime (API Gateway events fed to the same
 * Lambda handler) against the same DynamoDB transactions sent raw to the same DynamoDB Local, in
 * one run, alternated in rounds; DynamoDB and Scheduler requests per operation with consumed
 * capacity, and the AWS cost per 1,000 holds from them; one county's booking write rate against
 * ten counties' (bench/county-scaling.ts); then the bundle report. Writes
 * docs/PERFORMANCE.md (between the bench markers; the bundle report writes its own section).
 * Timings are measured, never asserted: nothing here fails on a slow machine.
 * `--only county-scaling` runs just the county figure and prints it (docs/PERFORMANCE.md untouched).
 * `--only serve-transfer` runs just the serve and transfer rounds and prints each through the API as
 * a percentage of the raw transaction in the same run (docs/PERFORMANCE.md untouched).
 * `--profile <file>` writes a V8 CPU profile of the measured rounds (with their warm-up).
 * `--only batch` the same for a vendor's first sync of 1,000 bookings through bookings:batch
 * (bench/booking-batch.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { formatGenerated } from '../infra/format-generated.ts';
import { fromRepoRoot, REPO_ROOT } from '../infra/paths.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { startLocalRuntime } from '../local/runtime.ts';
import { VirtualClock } from '../shared/clock.ts';
import { randomSecret } from '../shared/ids.ts';
import { createDb, DYNAMODB_MAX_ATTEMPTS, dynamoClientConfig } from '../shared/store/db.ts';
import { measureBookingBatch, renderBookingBatch } from './booking-batch.ts';
import { type OperationProfile, profile } from './capacity.ts';
import { addUsage, costOf, emptyUsage, type Usage } from './cost.ts';
import { measureCountyScaling } from './county-scaling.ts';
import { type CpuSplit, cpuMeter, findDynamoDbLocalPid } from './cpu.ts';
import { profileWhile } from './cpu-profile.ts';
import { describeMachine } from './machine.ts';
import { CommandRecorder, type RecordedCommand } from './recorder.ts';
import { type BenchResult, renderCountyScaling, renderSection, type Variant } from './report.ts';
import { replaceSection } from './section.ts';
import { ratioPercent, summarize } from './stats.ts';
import {
  apiGetHold,
  apiServe,
  apiTransfer,
  type Case,
  caseIds,
  onboardCounty,
  prepareCase,
  RawTemplate,
  sendRaw,
  type Times,
} from './workload.ts';

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '15' },
    // Steady state, not the JIT's warm-up: DynamoDB Local's JVM keeps getting faster over its first
    // few thousand requests (docs/PERFORMANCE.md compares 40, 400 and 800).
    warmup: { type: 'string', default: '400' },
    samples: { type: 'string', default: '20' },
    'bundle-runs': { type: 'string', default: '15' },
    'skip-bundle': { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs/PERFORMANCE.md' },
    'county-writes': { type: 'string', default: '200' },
    'county-concurrency': { type: 'string', default: '12' },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
});
const ONLY = ['county-scaling', 'serve-transfer', 'batch'] as const;
if (values.only !== undefined && !(ONLY as readonly string[]).includes(values.only)) {
  throw new Error(`--only takes one of: ${ONLY.join(', ')}`);
}
const positive = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const params = {
  ops: positive('ops', values.ops),
  concurrency: positive('concurrency', values.concurrency),
  rounds: positive('rounds', values.rounds),
  warmup: positive('warmup', values.warmup),
  samples: positive('samples', values.samples),
};
const countyParams = {
  writes: positive('county-writes', values['county-writes']),
  concurrency: positive('county-concurrency', values['county-concurrency']),
};

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const log = (line: string) => console.log(`bench: ${line}`);
const startedAt = new Date();
const machine = describeMachine();

const START = new Date('2026-11-24T03:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const times: Times = {
  bookedAt: iso(START.getTime() - 3 * 3_600_000),
  servedAt: iso(START.getTime() - 2 * 3_600_000),
  transferredAt: iso(START.getTime() - 3_600_000),
};

/** Runs `op` over `items` with `concurrency` in flight; per-operation latencies and the batch's wall time. */
async function runBatch<T>(
  items: readonly T[],
  concurrency: number,
  op: (item: T) => Promise<void>,
): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      const started = performance.now();
      await op(item);
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { latencies, wallMs: performance.now() - started };
}

log(`machine: ${machine.cpu}, ${machine.cores} cores, load ${machine.load}`);
const dynamo = await startDynamoDbLocal();
const tableName = 'wso-bench';
const runtime = await startLocalRuntime({
  dynamoEndpoint: dynamo.endpoint,
  tableName,
  adminKey: `bench_admin_${randomSecret(18)}`,
  clock: new VirtualClock({ start: START }),
});
// The raw side: a client configured as the runtime's (same retries, no backoff), its own connections.
const rawClient = new DynamoDBClient({
  ...dynamoClientConfig({ endpoint: dynamo.endpoint }),
  retryStrategy: new ConfiguredRetryStrategy(DYNAMODB_MAX_ATTEMPTS, () => 0),
});
const raw = createDb({ tableName, client: rawClient }).doc;
const stopEverything = async (): Promise<void> => {
  rawClient.destroy();
  await runtime.stop();
  await dynamo.stop();
};

if (values.only === 'county-scaling') {
  try {
    log(
      `county scaling: ${countyParams.writes} booking writes per variant, ${countyParams.concurrency} in flight`,
    );
    const scaling = await measureCountyScaling(runtime, countyParams, times.bookedAt);
    console.log(renderCountyScaling(scaling).join('\n'));
    log(`load average ${machine.load} when the run started, ${describeMachine().load} when it ended`);
  } finally {
    await stopEverything();
  }
  process.exit(0);
}

if (values.only === 'batch') {
  try {
    log('bookings:batch: 1,000 bookings in two batches of 500, then the same again');
    const figure = await measureBookingBatch(runtime, times.bookedAt);
    console.log(renderBookingBatch(figure).join('\n'));
    log(`load average ${machine.load} when the run started, ${describeMachine().load} when it ended`);
  } finally {
    await stopEverything();
  }
  process.exit(0);
}

let result: BenchResult;
try {
  const county = await onboardCounty(runtime, 'bench-county');
  const recorder = new CommandRecorder();
  recorder.attach(runtime.deps.db.doc, 'dynamodb', 'db');
  // Tenant keys reach DynamoDB through a tenant-scoped client (the tenant-data role locally emulated).
  const tenantDb = await runtime.deps.tenantDb?.forTenant(county.tenantId);
  if (tenantDb && tenantDb.doc !== runtime.deps.db.doc)
    recorder.attach(tenantDb.doc, 'dynamodb', 'tenant-db');
  recorder.attach(runtime.timers.schedulerClient, 'scheduler', 'scheduler');

  // Every case the run needs, booked and with a warrant, before anything is measured.
  const per = params.ops + params.warmup;
  let index = 0;
  const take = (count: number): Case[] => Array.from({ length: count }, () => caseIds(++index));
  const templateCase = take(1)[0] as Case;
  const sampleCases = take(params.samples);
  const apiCases = take(per);
  const txCases = take(per);
  const allCases = take(per);
  log(`preparing ${index} bookings with warrants`);
  await runBatch([templateCase, ...sampleCases, ...apiCases, ...txCases, ...allCases], 8, (item) =>
    prepareCase(county, item, times),
  );
  await runtime.drainStreams();

  // Requests per operation and consumed capacity, one operation at a time.
  log(`recording requests and capacity over ${params.samples} holds`);
  const serveTemplate = await recorder.record(() => apiServe(county, templateCase, times));
  await recorder.record(() => apiGetHold(county, templateCase));
  const transferTemplate = await recorder.record(() => apiTransfer(county, templateCase, times));
  const recorded: Record<
    'serve' | 'get' | 'transfer' | 'streamServe' | 'streamTransfer',
    RecordedCommand[][]
  > = { serve: [], get: [], transfer: [], streamServe: [], streamTransfer: [] };
  for (const item of sampleCases) {
    recorded.serve.push((await recorder.record(() => apiServe(county, item, times))).commands);
    recorded.streamServe.push((await recorder.record(() => runtime.drainStreams())).commands);
    recorded.get.push((await recorder.record(() => apiGetHold(county, item))).commands);
    recorded.transfer.push((await recorder.record(() => apiTransfer(county, item, times))).commands);
    recorded.streamTransfer.push((await recorder.record(() => runtime.drainStreams())).commands);
  }
  const profiles: Record<keyof typeof recorded, OperationProfile> = {
    serve: profile(recorded.serve),
    get: profile(recorded.get),
    transfer: profile(recorded.transfer),
    streamServe: profile(recorded.streamServe),
    streamTransfer: profile(recorded.streamTransfer),
  };

  // Raw templates: the transactions (and all DynamoDB requests) the service sent for the template hold.
  const serveRaw = new RawTemplate(serveTemplate.commands, templateCase);
  const transferRaw = new RawTemplate(transferTemplate.commands, templateCase);
  for (const item of [...txCases, ...allCases]) item.holdId = serveRaw.newHoldId();
  const rawTx = (template: RawTemplate) => async (item: Case) => {
    const [tx] = template.inputsFor(item, [template.transaction]);
    await sendRaw(raw, tx as RecordedCommand);
  };
  const rawAll = (template: RawTemplate) => async (item: Case) => {
    for (const command of template.inputsFor(item, template.commands)) await sendRaw(raw, command);
  };
  type Kind = 'serve' | 'transfer';
  const variants: Record<Kind, Record<Variant, (item: Case) => Promise<void>>> = {
    serve: {
      api: (item) => apiServe(county, item, times),
      rawTx: rawTx(serveRaw),
      rawAll: rawAll(serveRaw),
    },
    transfer: {
      api: (item) => apiTransfer(county, item, times),
      rawTx: rawTx(transferRaw),
      rawAll: rawAll(transferRaw),
    },
  };
  const cases: Record<Variant, Case[]> = { api: apiCases, rawTx: txCases, rawAll: allCases };
  type Sample = { latencies: number[]; wallMs: number; cpu: CpuSplit };
  const empty = (): Sample => ({ latencies: [], wallMs: 0, cpu: { nodeMs: 0, dynamoMs: 0 } });
  const samples: Record<Kind, Record<Variant, Sample>> = {
    serve: { api: empty(), rawTx: empty(), rawAll: empty() },
    transfer: { api: empty(), rawTx: empty(), rawAll: empty() },
  };
  const dynamoPid = findDynamoDbLocalPid(dynamo.endpoint);
  const cpuPerOp = (kind: Kind): Record<Variant, CpuSplit> => {
    const perOp = ({ cpu, latencies }: Sample): CpuSplit => ({
      nodeMs: cpu.nodeMs / Math.max(1, latencies.length),
      dynamoMs: cpu.dynamoMs / Math.max(1, latencies.length),
    });
    return {
      api: perOp(samples[kind].api),
      rawTx: perOp(samples[kind].rawTx),
      rawAll: perOp(samples[kind].rawAll),
    };
  };
  const order: Variant[] = ['api', 'rawTx', 'rawAll'];
  // Round 0 is the warm-up (not recorded); then the measured rounds, each variant's order rotated.
  const slices: { from: number; to: number; measured: boolean }[] = [
    { from: 0, to: params.warmup, measured: false },
  ];
  for (let round = 0; round < params.rounds; round++) {
    const from = params.warmup + Math.floor((round * params.ops) / params.rounds);
    const to = params.warmup + Math.floor(((round + 1) * params.ops) / params.rounds);
    slices.push({ from, to, measured: true });
  }
  await profileWhile(values.profile, async () => {
    for (const [round, slice] of slices.entries()) {
      const rotated = order.map((_, i) => order[(i + round) % order.length] as Variant);
      for (const kind of ['serve', 'transfer'] as const) {
        for (const variant of rotated) {
          const cpu = cpuMeter(dynamoPid);
          const batch = await runBatch(
            cases[variant].slice(slice.from, slice.to),
            params.concurrency,
            variants[kind][variant],
          );
          const used = cpu();
          if (!slice.measured) continue;
          const sample = samples[kind][variant];
          sample.latencies.push(...batch.latencies);
          sample.wallMs += batch.wallMs;
          sample.cpu.nodeMs += used.nodeMs;
          sample.cpu.dynamoMs += used.dynamoMs;
        }
      }
      log(`${slice.measured ? `round ${round}/${params.rounds}` : 'warm-up'} done`);
    }
  });
  if (values.only === 'serve-transfer') {
    for (const kind of ['serve', 'transfer'] as const) {
      const api = summarize(samples[kind].api.latencies, samples[kind].api.wallMs);
      const rawTx = summarize(samples[kind].rawTx.latencies, samples[kind].rawTx.wallMs);
      console.log(
        `${kind}: API ${api.throughput.toFixed(1)}/s, raw transaction ${rawTx.throughput.toFixed(1)}/s: ` +
          `${ratioPercent(api.throughput, rawTx.throughput).toFixed(0)}% of raw ` +
          `(requests per operation: ${Object.entries(profiles[kind].requests)
            .map(([name, count]) => `${name} ${Number(count.toFixed(2))}`)
            .join(', ')})`,
      );
      for (const [variant, cpu] of Object.entries(cpuPerOp(kind))) {
        console.log(
          `  ${variant}: CPU per operation: Node ${cpu.nodeMs.toFixed(2)} ms, ` +
            `DynamoDB Local ${cpu.dynamoMs.toFixed(2)} ms`,
        );
      }
    }
    log(`load average ${machine.load} when the run started, ${describeMachine().load} when it ended`);
    await stopEverything();
    process.exit(0);
  }

  log(
    `county scaling: ${countyParams.writes} booking writes per variant, ${countyParams.concurrency} in flight`,
  );
  const countyScaling = await measureCountyScaling(runtime, countyParams, times.bookedAt);
  log('bookings:batch: 1,000 bookings in two batches of 500, then the same again');
  const bookingBatch = await measureBookingBatch(runtime, times.bookedAt);

  // Cost per hold: serve, one read, transfer (each with its API-key look-up), and the stream
  // consumer's writes for both.
  const usageOf = (p: OperationProfile, lambdaRequests: number): Usage => ({
    // The API function re-reads the caller's key on every request in AWS too (revocation at once).
    writeUnits: p.units.write + p.authUnits.write,
    readUnits: p.units.read + p.authUnits.read,
    schedulerInvocations: 0,
    schedulerApiCalls: (p.requests.CreateSchedule ?? 0) + (p.requests.DeleteSchedule ?? 0),
    lambdaRequests,
  });
  const perHold = [
    usageOf(profiles.serve, 1),
    usageOf(profiles.get, 1),
    usageOf(profiles.transfer, 1),
    usageOf(profiles.streamServe, 0),
    usageOf(profiles.streamTransfer, 0),
  ].reduce(addUsage, emptyUsage());
  // Transferred before its first step: the schedule is deleted and never fires (see the report).

  result = {
    startedAt,
    seconds: performance.now() / 1000,
    loadAfter: describeMachine().load,
    machine,
    params,
    throughput: {
      serve: {
        api: summarize(samples.serve.api.latencies, samples.serve.api.wallMs),
        rawTx: summarize(samples.serve.rawTx.latencies, samples.serve.rawTx.wallMs),
        rawAll: summarize(samples.serve.rawAll.latencies, samples.serve.rawAll.wallMs),
      },
      transfer: {
        api: summarize(samples.transfer.api.latencies, samples.transfer.api.wallMs),
        rawTx: summarize(samples.transfer.rawTx.latencies, samples.transfer.rawTx.wallMs),
        rawAll: summarize(samples.transfer.rawAll.latencies, samples.transfer.rawAll.wallMs),
      },
    },
    cpuPerOp: {
      serve: cpuPerOp('serve'),
      transfer: cpuPerOp('transfer'),
    },
    profiles,
    rawSequences: {
      serve: serveRaw.commands.map((command) => command.name),
      transfer: transferRaw.commands.map((command) => command.name),
    },
    transactionItems: {
      serve: itemKinds(serveRaw.transaction),
      transfer: itemKinds(transferRaw.transaction),
    },
    perHold,
    cost: costOf(perHold, 1000),
    countyScaling,
    bookingBatch,
  };
} finally {
  await stopEverything();
}

/** "Put, Update, ConditionCheck …" of a recorded transaction. */
function itemKinds(command: RecordedCommand): string[] {
  const items = (command.input.TransactItems ?? []) as Record<string, unknown>[];
  return items.map((item) => Object.keys(item)[0] ?? '?');
}

log(`done measuring in ${Math.round(result.seconds)} s`);
if (!values['skip-bundle']) {
  log('bundle sizes and module init (infra/bundle-report.ts)');
  const bundle = spawnSync(
    process.execPath,
    [fromRepoRoot('infra/bundle-report.ts'), `--runs=${values['bundle-runs']}`],
    {
      stdio: 'inherit',
    },
  );
  if (bundle.status !== 0) process.exitCode = 1;
}
const out = resolve(REPO_ROOT, values.out as string);
const existing = existsSync(out) ? readFileSync(out, 'utf8') : '# Performance\n';
writeFileSync(out, replaceSection(existing, renderSection(result)));
formatGenerated(out);
log(`wrote ${out}`);
console.log(renderSection(result));
