/**
 * `npm run bench:bundle`: bundles every function exactly as the CDK app does (infra/bundling.ts),
 * reports the deployed size against the DESIGN.md §8 budget with the largest contributors (esbuild
 * metafile), and measures module init: each bundle is imported in a fresh Node process, N times,
 * interleaved with an empty handler bundled the same way, so the two are measured side by side.
 * The results go to docs/PERFORMANCE.md (between the bundle-report markers; the rest of the file is
 * left alone). `-- --check` exits non-zero over budget; `-- --runs=N` sets the runs per bundle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import {
  BUNDLE_ALIASES,
  BUNDLE_BUDGET_BYTES,
  BUNDLE_SETTINGS,
  FUNCTION_ENTRIES,
  type FunctionKey,
} from './bundling.ts';
import { formatGenerated } from './format-generated.ts';
import { fromRepoRoot, REPO_ROOT } from './paths.ts';

/** DESIGN.md §8: module init within 1.5x of an empty handler. */
const INIT_BUDGET_RATIO = 1.5;
const EMPTY = 'empty';
type BundleName = FunctionKey | typeof EMPTY;

interface BundleSize {
  readonly name: BundleName;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly mapBytes: number;
  readonly milliseconds: number;
  readonly topPackages: ReadonlyArray<readonly [string, number]>;
}

interface InitTimes {
  readonly median: number;
  readonly p90: number;
  readonly min: number;
}

const runs = Number(process.argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length) ?? 15);
const outDir = mkdtempSync(join(tmpdir(), 'wso-bundle-report-'));

function buildOptions(name: BundleName): BuildOptions {
  return {
    ...(name === EMPTY
      ? {
          stdin: {
            contents: 'export const handler = async () => ({});',
            loader: 'ts',
            resolveDir: REPO_ROOT,
          },
        }
      : { entryPoints: [fromRepoRoot(FUNCTION_ENTRIES[name])] }),
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: BUNDLE_SETTINGS.target,
    format: BUNDLE_SETTINGS.format,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: { js: BUNDLE_SETTINGS.banner },
    ...(name === EMPTY ? {} : { alias: { ...BUNDLE_ALIASES } }),
    outfile: join(outDir, name, 'index.mjs'),
    write: false,
    metafile: true,
    logLevel: 'error',
  };
}

async function measure(name: BundleName): Promise<BundleSize> {
  const started = performance.now();
  const result = await build(buildOptions(name));
  const code = result.outputFiles?.find((file) => file.path.endsWith('.mjs'));
  const map = result.outputFiles?.find((file) => file.path.endsWith('.map'));
  if (code === undefined) throw new Error(`esbuild produced no bundle for ${name}`);
  mkdirSync(join(outDir, name), { recursive: true });
  for (const file of result.outputFiles ?? []) writeFileSync(file.path, file.contents);
  return {
    name,
    file: code.path,
    bytes: code.contents.byteLength,
    gzipBytes: gzipSync(code.contents, { level: 9 }).byteLength,
    mapBytes: map?.contents.byteLength ?? 0,
    milliseconds: performance.now() - started,
    topPackages: result.metafile ? topPackages(result.metafile) : [],
  };
}

/** Output bytes per npm package (or per first-party folder), largest first. */
function topPackages(metafile: Metafile): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const key = packageOf(input);
      totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]).slice(0, 6);
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match?.[1] !== undefined) return match[1];
  return input.split('/').slice(0, 2).join('/');
}

/**
 * Placeholder configuration, as the stacks set it, so each handler's module-level setup (clients,
 * settings, deps) runs as in Lambda. No credentials: init makes no AWS call. Metrics stay off
 * (AWS_LAMBDA_FUNCTION_NAME unset) and logs are silenced.
 */
const PLACEHOLDER_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  STAGE: 'bench',
  LOG_LEVEL: 'ERROR',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_SERVICE_NAME: 'wso-bench',
  TABLE_NAME: 'wso-custody-bench',
  SCHEDULE_GROUP: 'wso-custody-bench-holds',
  HOLD_TIMER_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:wso-custody-bench-hold-timer',
  SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/wso-custody-bench-scheduler',
  SCHEDULER_DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:wso-custody-bench-scheduler-dlq',
  WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/wso-custody-bench-webhooks',
  WEBHOOK_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/wso-custody-bench-webhooks-dlq',
  TENANT_DATA_ROLE_ARN: 'arn:aws:iam::123456789012:role/wso-custody-bench-tenant-data',
};

/** Imports the bundle in a fresh process and prints how long the import (module init) took. */
const PROBE = `
const url = process.argv[1];
const started = performance.now();
const module = await import(url);
const ms = performance.now() - started;
if (typeof module.handler !== 'function') throw new Error('no handler export in ' + url);
process.stdout.write(JSON.stringify({ ms }));
`;

function initOnce(bundle: BundleSize): number {
  const result = spawnSync(
    process.execPath,
    // As Lambda runs it: NODE_OPTIONS=--enable-source-maps is set on every function.
    ['--enable-source-maps', '--input-type=module', '--eval', PROBE, pathToFileURL(bundle.file).href],
    { env: PLACEHOLDER_ENV, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`init of ${bundle.name} failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { ms: number }).ms;
}

function initTimes(bundles: readonly BundleSize[]): Map<BundleName, InitTimes> {
  const samples = new Map<BundleName, number[]>(bundles.map((b) => [b.name, []]));
  for (const bundle of bundles) initOnce(bundle); // warm the file cache, not recorded
  for (let run = 0; run < runs; run++) {
    // Round robin, rotated each run: drift in machine load hits every bundle alike.
    for (let i = 0; i < bundles.length; i++) {
      const bundle = bundles[(run + i) % bundles.length] as BundleSize;
      samples.get(bundle.name)?.push(initOnce(bundle));
    }
  }
  return new Map(
    [...samples].map(([name, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const at = (q: number): number =>
        sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
      return [name, { median: at(0.5), p90: at(0.9), min: sorted[0] ?? 0 }];
    }),
  );
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
    `- CPU: ${model} (nproc ${availableParallelism()}, ${process.arch})`,
    `- Memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- Node: ${process.version} (the repository's node@24 devDependency); esbuild settings of infra/bundling.ts`,
  ];
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

const names: BundleName[] = [...(Object.keys(FUNCTION_ENTRIES) as FunctionKey[]), EMPTY];
const sizes: BundleSize[] = [];
for (const name of names) sizes.push(await measure(name));
const init = initTimes(sizes);
const empty = init.get(EMPTY) as InitTimes;
const functions = sizes.filter((size) => size.name !== EMPTY);

console.log(`Bundle budget: ${kb(BUNDLE_BUDGET_BYTES)} minified per function (DESIGN.md §8)\n`);
for (const size of sizes) {
  const verdict = size.bytes <= BUNDLE_BUDGET_BYTES ? 'ok' : 'OVER BUDGET';
  const times = init.get(size.name) as InitTimes;
  console.log(
    `${size.name.padEnd(13)} ${kb(size.bytes).padStart(10)}  gzip ${kb(size.gzipBytes).padStart(9)}  ` +
      `init median ${ms(times.median).padStart(9)} (${(times.median / empty.median).toFixed(2)}x empty)  ${verdict}`,
  );
  if (size.name !== EMPTY) {
    console.log(
      `              largest: ${size.topPackages.map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`).join(', ')}`,
    );
  }
}

const overBudget = functions.filter((size) => size.bytes > BUNDLE_BUDGET_BYTES);
const overInit = functions.filter(
  (size) => (init.get(size.name) as InitTimes).median > INIT_BUDGET_RATIO * empty.median,
);
const section = [
  '<!-- bundle-report:start (written by `npm run bench:bundle`; edits inside are overwritten) -->',
  '## Function bundles and module init',
  '',
  ...machine(),
  `- Init: \`import()\` of the bundle in a fresh \`node --enable-source-maps\` process, ${runs} runs per bundle ` +
    'interleaved round robin with an empty handler bundled the same way (after one unrecorded warm-up run ' +
    'each); placeholder environment as the stacks set it, no AWS call. This is module evaluation only, ' +
    'not the Lambda runtime start.',
  '',
  `Budgets (DESIGN.md §8): bundle ≤ ${kb(BUNDLE_BUDGET_BYTES)} minified; init median ≤ ${INIT_BUDGET_RATIO}x the empty handler.`,
  '',
  '| function | minified | gzip | source map | init median | init p90 | init vs empty | bundle budget | init budget |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ...sizes.map((size) => {
    const times = init.get(size.name) as InitTimes;
    const ratio = times.median / empty.median;
    const isEmpty = size.name === EMPTY;
    return (
      `| ${isEmpty ? '(empty handler)' : size.name} | ${kb(size.bytes)} | ${kb(size.gzipBytes)} | ${kb(size.mapBytes)} | ` +
      `${ms(times.median)} | ${ms(times.p90)} | ${ratio.toFixed(2)}x | ` +
      `${isEmpty ? '' : size.bytes <= BUNDLE_BUDGET_BYTES ? 'ok' : '**over**'} | ` +
      `${isEmpty ? '' : ratio <= INIT_BUDGET_RATIO ? 'ok' : '**over**'} |`
    );
  }),
  '',
  '### Largest contributors (esbuild metafile, bytes in the minified output)',
  '',
  ...functions.map(
    (size) =>
      `- **${size.name}**: ${size.topPackages.map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`).join(', ')}`,
  ),
  '',
  overBudget.length === 0
    ? 'Every bundle is within the size budget.'
    : `**Over the ${kb(BUNDLE_BUDGET_BYTES)} budget: ${overBudget.map((s) => s.name).join(', ')}.** The budget is not met yet.`,
  overInit.length === 0
    ? `Every function initializes within ${INIT_BUDGET_RATIO}x of the empty handler.`
    : `**Init over ${INIT_BUDGET_RATIO}x the empty handler: ${overInit.map((s) => s.name).join(', ')}.**`,
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
if (process.argv.includes('--check') && overBudget.length > 0) process.exitCode = 1;
