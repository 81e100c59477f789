/**
 * `npm run bench:bundle`: bundles every function exactly as `npm run synth` does (infra/bundling.ts:
 * the same options, code splitting included) together with the SDK floor (infra/bundle-floor.ts: one
 * DynamoDB document client and one GetItem, bundled the same way), and measures each in fresh Node
 * processes, interleaved round robin so drift in machine load hits every bundle alike:
 *
 * - module init: the `import()` of the bundle's entry (what DESIGN.md §8 bounds at 1.5x the floor's);
 * - init + first event: init, then one event whose only I/O is DynamoDB, answered at once by a stub
 *   endpoint here (AWS_ENDPOINT_URL_DYNAMODB). It shows where work that left module init went: chunks
 *   loaded, clients made and schemas built by the first event are counted here.
 *
 * The results go to docs/PERFORMANCE.md (between the bundle-report markers; the rest of the file is
 * left alone). `-- --check` exits non-zero when a function's init is over the bar; `-- --runs=N` sets
 * the runs per bundle.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import {
  BUNDLE_ENTRY_FILE,
  FUNCTION_ENTRIES,
  type FunctionKey,
  functionBuildOptions,
  initialOutputs,
} from './bundling.ts';
import { formatGenerated } from './format-generated.ts';
import { fromRepoRoot, REPO_ROOT } from './paths.ts';

/** DESIGN.md §8: each function's module init within 1.5x of the SDK floor's. */
const INIT_BUDGET_RATIO = 1.5;
const FLOOR = 'floor';
const FLOOR_ENTRY = 'infra/bundle-floor.ts';
type BundleName = FunctionKey | typeof FLOOR;

interface Bundle {
  readonly name: BundleName;
  readonly entryFile: string;
  /** The entry and the chunks it imports statically: what module init loads. */
  readonly initFiles: number;
  readonly initBytes: number;
  /** Every chunk of the package, the ones loaded on demand included. */
  readonly totalBytes: number;
  readonly chunks: number;
  readonly mapBytes: number;
  readonly initPackages: ReadonlyArray<readonly [string, number]>;
}

interface Sample {
  init: number;
  initCpu: number;
  firstEvent: number;
  outcome: string;
}

interface Stats {
  readonly median: number;
  readonly p90: number;
}

const runs = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length) ?? 15);
const outDir = mkdtempSync(join(tmpdir(), 'wso-bundle-report-'));

async function bundle(name: BundleName): Promise<Bundle> {
  const dir = join(outDir, name);
  const entry = name === FLOOR ? FLOOR_ENTRY : FUNCTION_ENTRIES[name];
  const result = await build({ ...functionBuildOptions(entry, dir, REPO_ROOT), metafile: true });
  const metafile = result.metafile as Metafile;
  const outputs = Object.entries(metafile.outputs);
  const initial = initialOutputs(metafile, BUNDLE_ENTRY_FILE);
  const packages = new Map<string, number>();
  for (const path of initial) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[path]?.inputs ?? {})) {
      const key = packageOf(input);
      packages.set(key, (packages.get(key) ?? 0) + bytesInOutput);
    }
  }
  const code = outputs.filter(([path]) => path.endsWith('.mjs'));
  return {
    name,
    entryFile: join(dir, BUNDLE_ENTRY_FILE),
    initFiles: initial.length,
    initBytes: initial.reduce((sum, path) => sum + (metafile.outputs[path]?.bytes ?? 0), 0),
    totalBytes: code.reduce((sum, [, output]) => sum + output.bytes, 0),
    chunks: code.length,
    mapBytes: outputs.filter(([path]) => path.endsWith('.map')).reduce((sum, [, o]) => sum + o.bytes, 0),
    initPackages: [...packages].sort((a, b) => b[1] - a[1]).slice(0, 6),
  };
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match?.[1] !== undefined) return match[1];
  return input.split('/').slice(0, 2).join('/');
}

/**
 * A DynamoDB endpoint that answers every call at once with nothing found (no item, no query
 * results, no conflict), so the first events below exercise the code and the SDK, not a network.
 */
function startStubDynamoDb(): Promise<Server> {
  const answers: Record<string, unknown> = {
    Query: { Items: [], Count: 0, ScannedCount: 0 },
    BatchGetItem: { Responses: {}, UnprocessedKeys: {} },
  };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(answers[operation] ?? {}));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const BENCH_KEY = `wso_${'b'.repeat(43)}`;

/** One event per bundle whose only I/O is DynamoDB; every lookup finds nothing. */
const FIRST_EVENTS: Record<BundleName, unknown> = {
  floor: { id: 'bench' },
  // A tenant-facing read with a key that does not exist: the route table, the key lookup, a 401.
  api: {
    httpMethod: 'GET',
    path: '/v1/tenants/bench-county/holds',
    resource: '/{proxy+}',
    headers: { authorization: `Bearer ${BENCH_KEY}` },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'v1/tenants/bench-county/holds' },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'bench-request' },
  },
  // The same for an admin route (issue 19: GET /v1/tenants/{tenantId} runs in the admin function).
  adminApi: {
    httpMethod: 'GET',
    path: '/v1/tenants/bench-county',
    resource: '/v1/tenants/{tenantId}',
    headers: { authorization: `Bearer ${BENCH_KEY}` },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { tenantId: 'bench-county' },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'bench-request' },
  },
  authorizer: {
    type: 'TOKEN',
    authorizationToken: `Bearer ${BENCH_KEY}`,
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/bench/GET/v1/tenants',
  },
  // A timer of a hold that is not there: parsed, looked up, nothing to do.
  holdTimer: {
    tenantId: 'bench-county',
    holdId: '01JD0000000000000000000000',
    step: 'RELEASE_DUE',
    dueAt: '2026-01-01T00:00:00Z',
  },
  sweeper: {},
  stream: { Records: [] },
  webhookSender: { Records: [] },
  sealer: { Records: [] },
  // A daily run on an empty table: every job's index query finds nothing.
  dailyJobs: {},
};

/**
 * Placeholder configuration, as the stacks set it, so each handler's module-level setup runs as in
 * Lambda. Credentials are placeholders for the stub endpoint. Metrics stay off
 * (AWS_LAMBDA_FUNCTION_NAME unset) and logs are silenced.
 */
const PLACEHOLDER_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  STAGE: 'bench',
  LOG_LEVEL: 'ERROR',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_SERVICE_NAME: 'wso-bench',
  TABLE_NAME: 'wso-custody-bench',
  AUDIT_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/bench',
  AUDIT_BUCKET: 'wso-custody-bench-audit',
  SCHEDULE_GROUP: 'wso-custody-bench-holds',
  HOLD_TIMER_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:wso-custody-bench-hold-timer',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/wso-custody-bench-scheduler',
  SCHEDULER_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:wso-custody-bench-scheduler-dlq',
  WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/wso-custody-bench-webhooks',
  WEBHOOK_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/wso-custody-bench-webhooks-dlq',
  TENANT_DATA_ROLE_ARN: 'arn:aws:iam::123456789012:role/wso-custody-bench-tenant-data',
  USAGE_PLAN_ID: 'bench01',
  WEBHOOK_SECRETS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/bench-webhook-secrets',
};

/**
 * Imports the bundle in a fresh process (module init: wall time and the process's CPU time), then
 * calls the handler once with the first event.
 */
const PROBE = `
const [url, eventJson] = process.argv.slice(1);
const cpu = process.cpuUsage();
const started = performance.now();
const module = await import(url);
const init = performance.now() - started;
const used = process.cpuUsage(cpu);
if (typeof module.handler !== 'function') throw new Error('no handler export in ' + url);
const context = {
  functionName: 'bench', functionVersion: '$LATEST', memoryLimitInMB: '512', awsRequestId: 'bench-request',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
  getRemainingTimeInMillis: () => 30000,
};
const eventStarted = performance.now();
let outcome;
try {
  const result = await module.handler(JSON.parse(eventJson), context);
  outcome = 'ok' + (result && result.statusCode ? ' ' + result.statusCode : '');
} catch (error) {
  outcome = 'threw: ' + (error && error.message);
}
const firstEvent = performance.now() - eventStarted;
process.stdout.write(JSON.stringify({ init, initCpu: (used.user + used.system) / 1000, firstEvent, outcome }));
`;

const execFileAsync = promisify(execFile);

async function runOnce(bundle: Bundle, endpoint: string): Promise<Sample> {
  const { stdout } = await execFileAsync(
    process.execPath,
    // As Lambda runs it: NODE_OPTIONS=--enable-source-maps is set on every function.
    [
      '--enable-source-maps',
      '--input-type=module',
      '--eval',
      PROBE,
      pathToFileURL(bundle.entryFile).href,
      JSON.stringify(FIRST_EVENTS[bundle.name]),
    ],
    { env: { ...PLACEHOLDER_ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint }, encoding: 'utf8', timeout: 60_000 },
  );
  return JSON.parse(stdout) as Sample;
}

async function measureAll(bundles: readonly Bundle[], endpoint: string): Promise<Map<BundleName, Sample[]>> {
  const samples = new Map<BundleName, Sample[]>(bundles.map((b) => [b.name, []]));
  for (const bundle of bundles) await runOnce(bundle, endpoint); // warm the file cache, not recorded
  for (let run = 0; run < runs; run++) {
    // Round robin, rotated each run: drift in machine load hits every bundle alike.
    for (let i = 0; i < bundles.length; i++) {
      const bundle = bundles[(run + i) % bundles.length] as Bundle;
      samples.get(bundle.name)?.push(await runOnce(bundle, endpoint));
    }
  }
  return samples;
}

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { median: at(0.5), p90: at(0.9) };
}

function machine(): string[] {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) model = line.split(':')[1]?.trim() ?? model;
  } catch {
    // Not Linux: os.cpus() it is.
  }
  return [
    `- Date: ${new Date().toISOString()}`,
    `- CPU: ${model} (nproc ${availableParallelism()}, ${process.arch}); load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`,
    `- Memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- Node: ${process.version} (the repository's node@24 devDependency); the bundles of infra/bundling.ts, as \`npm run synth\` builds them`,
  ];
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

const names: BundleName[] = [FLOOR, ...(Object.keys(FUNCTION_ENTRIES) as FunctionKey[])];
const bundles: Bundle[] = [];
for (const name of names) bundles.push(await bundle(name));
const stub = await startStubDynamoDb();
const samples = await measureAll(bundles, `http://127.0.0.1:${(stub.address() as AddressInfo).port}`);
stub.close();

const initOf = (name: BundleName): Stats => stats((samples.get(name) ?? []).map((s) => s.init));
const cpuOf = (name: BundleName): Stats => stats((samples.get(name) ?? []).map((s) => s.initCpu));
const coldOf = (name: BundleName): Stats =>
  stats((samples.get(name) ?? []).map((s) => s.init + s.firstEvent));
const floor = { init: initOf(FLOOR), cpu: cpuOf(FLOOR), cold: coldOf(FLOOR) };
const ratio = (value: number, of: number): string => `${(value / of).toFixed(2)}x`;
const functions = bundles.filter((b) => b.name !== FLOOR);
const overInit = functions.filter((b) => initOf(b.name).median > INIT_BUDGET_RATIO * floor.init.median);

for (const b of bundles) {
  const init = initOf(b.name);
  const cold = coldOf(b.name);
  console.log(
    `${b.name.padEnd(13)} init ${kb(b.initBytes).padStart(9)} of ${kb(b.totalBytes).padStart(9)}  ` +
      `init ${ms(init.median).padStart(9)} ${ratio(init.median, floor.init.median).padStart(6)}  ` +
      `cpu ${ratio(cpuOf(b.name).median, floor.cpu.median).padStart(6)}  ` +
      `+first event ${ms(cold.median).padStart(9)} ${ratio(cold.median, floor.cold.median).padStart(6)}  ` +
      `(${samples.get(b.name)?.[0]?.outcome})`,
  );
}

const section = [
  '<!-- bundle-report:start (written by `npm run bench:bundle`; edits inside are overwritten) -->',
  '## Function bundles and cold start',
  '',
  ...machine(),
  `- Each bundle is run ${runs} times in a fresh \`node --enable-source-maps\` process, interleaved round robin ` +
    'with the SDK floor (infra/bundle-floor.ts: one DynamoDB document client made at init, one GetItem per ' +
    'event, bundled the same way), after one unrecorded warm-up run each; placeholder environment as the ' +
    'stacks set it. **Module init** is the `import()` of the entry: module evaluation only, not the Lambda ' +
    'runtime start. **+ first event** adds one event whose only I/O is DynamoDB, answered at once by a stub ' +
    'endpoint (api: a GET with an unknown key, 401; authorizer: an unknown key; hold timer: a hold that is ' +
    'not there; sweeper: nothing due; stream and sender: an empty batch; daily jobs: nothing found): it counts the chunks, clients and ' +
    'schemas that init no longer loads but the first event does.',
  '',
  `Bar (DESIGN.md §8): module init median ≤ ${INIT_BUDGET_RATIO}x the floor's.`,
  '',
  '| function | init loads | whole package | source maps | init median | init p90 | init vs floor | init CPU vs floor | bar | init + first event | vs floor |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ...bundles.map((b) => {
    const init = initOf(b.name);
    const isFloor = b.name === FLOOR;
    const within = init.median <= INIT_BUDGET_RATIO * floor.init.median;
    return (
      `| ${isFloor ? '(SDK floor)' : b.name} | ${kb(b.initBytes)} (${b.initFiles} files) | ` +
      `${kb(b.totalBytes)} (${b.chunks} files) | ${kb(b.mapBytes)} | ${ms(init.median)} | ${ms(init.p90)} | ` +
      `${ratio(init.median, floor.init.median)} | ${ratio(cpuOf(b.name).median, floor.cpu.median)} | ` +
      `${isFloor ? '' : within ? 'ok' : '**over**'} | ${ms(coldOf(b.name).median)} | ` +
      `${ratio(coldOf(b.name).median, floor.cold.median)} |`
    );
  }),
  '',
  '### What module init loads (esbuild metafile, bytes in the minified output)',
  '',
  ...bundles.map(
    (b) =>
      `- **${b.name === FLOOR ? 'SDK floor' : b.name}**: ${b.initPackages.map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`).join(', ')}`,
  ),
  '',
  overInit.length === 0
    ? `Every function's module init is within ${INIT_BUDGET_RATIO}x of the SDK floor's.`
    : `**Module init over ${INIT_BUDGET_RATIO}x the SDK floor's: ${overInit.map((b) => b.name).join(', ')}.**`,
  '<!-- bundle-report:end -->',
].join('\n');

const reportFile = fromRepoRoot('docs/PERFORMANCE.md');
mkdirSync(fromRepoRoot('docs'), { recursive: true });
const existing = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : '# Performance\n';
const markers = /<!-- bundle-report:start[^>]*-->[\s\S]*?<!-- bundle-report:end -->/;
const updated = markers.test(existing)
  ? existing.replace(markers, () => section)
  : `${existing.trimEnd()}\n\n${section}\n`;
writeFileSync(reportFile, updated.endsWith('\n') ? updated : `${updated}\n`);
formatGenerated(reportFile);
console.log(`\nWrote ${reportFile}`);

rmSync(outDir, { recursive: true, force: true });
if (process.argv.includes('--check') && overInit.length > 0) process.exitCode = 1;
