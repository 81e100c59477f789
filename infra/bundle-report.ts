/**
 * `npm run bench:bundle`: bundles every function exactly as the CDK app does (infra/bundling.ts)
 * and reports the deployed size against the DESIGN.md §8 budget, with the largest contributors so
 * the owner of a function can see what to cut. `-- --check` exits non-zero over budget.
 */
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_BUDGET_BYTES, BUNDLE_SETTINGS, FUNCTION_ENTRIES, type FunctionKey } from './bundling.ts';
import { fromRepoRoot, REPO_ROOT } from './paths.ts';

interface BundleSize {
  readonly name: FunctionKey;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly mapBytes: number;
  readonly milliseconds: number;
  readonly topPackages: ReadonlyArray<readonly [string, number]>;
}

async function measure(name: FunctionKey): Promise<BundleSize> {
  const started = performance.now();
  const result = await build({
    entryPoints: [fromRepoRoot(FUNCTION_ENTRIES[name])],
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
    outfile: `/virtual/${name}/index.mjs`,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.mjs'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.map'));
  if (code === undefined) throw new Error(`esbuild produced no bundle for ${name}`);
  return {
    name,
    bytes: code.contents.byteLength,
    gzipBytes: gzipSync(code.contents, { level: 9 }).byteLength,
    mapBytes: map?.contents.byteLength ?? 0,
    milliseconds: performance.now() - started,
    topPackages: topPackages(result.metafile),
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

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

const sizes: BundleSize[] = [];
for (const name of Object.keys(FUNCTION_ENTRIES) as FunctionKey[]) sizes.push(await measure(name));

console.log(`Bundle budget: ${kb(BUNDLE_BUDGET_BYTES)} minified per function (DESIGN.md §8)\n`);
for (const size of sizes) {
  const verdict = size.bytes <= BUNDLE_BUDGET_BYTES ? 'ok' : 'OVER BUDGET';
  console.log(
    `${size.name.padEnd(11)} ${kb(size.bytes).padStart(10)}  gzip ${kb(size.gzipBytes).padStart(9)}  ` +
      `map ${kb(size.mapBytes).padStart(9)}  ${size.milliseconds.toFixed(0).padStart(5)} ms  ${verdict}`,
  );
  console.log(
    `            largest: ${size.topPackages.map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`).join(', ')}`,
  );
}

if (process.argv.includes('--check') && sizes.some((size) => size.bytes > BUNDLE_BUDGET_BYTES)) {
  process.exitCode = 1;
}
