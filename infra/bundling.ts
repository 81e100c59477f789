/**
 * One description of how every function is bundled, used by the CDK app (the afterBundling hook of
 * infra/constructs/custody-function.ts runs this file) and by the bundle report
 * (`npm run bench:bundle`), so the report measures what gets deployed.
 *
 * Bundles are split (esbuild code splitting): `index.mjs` holds what a function needs at module
 * init, and every `import()` of the code becomes a chunk loaded on first use, so a client a function
 * rarely needs (API Gateway keys, STS, the Scheduler in the API) costs nothing at init.
 * NodejsFunction always passes `--outfile`, which esbuild refuses with `--splitting`, so the hook
 * replaces its single-file output by this build. Run as `node infra/bundling.ts <entry> <outdir>`.
 */
import type { BuildOptions, Metafile } from 'esbuild';

/** The Lambda entries, relative to the repository root; each exports `handler`. */
export const FUNCTION_ENTRIES = {
  api: 'functions/api/handler.ts',
  adminApi: 'functions/admin-api/handler.ts',
  authorizer: 'functions/authorizer/handler.ts',
  holdTimer: 'functions/hold-timer/handler.ts',
  sweeper: 'functions/sweeper/handler.ts',
  stream: 'functions/stream/handler.ts',
  webhookSender: 'functions/webhook-sender/handler.ts',
  sealer: 'functions/sealer/handler.ts',
  dailyJobs: 'functions/daily-jobs/handler.ts',
} as const;

export type FunctionKey = keyof typeof FUNCTION_ENTRIES;

/**
 * esbuild turns CommonJS dependencies into `__require(...)` calls, which throw inside an ES module
 * unless a `require` exists. Defining one from `createRequire` keeps ESM end to end (DESIGN.md §9).
 * With code splitting the banner heads every chunk, so each chunk has its own `require`.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __wsoCreateRequire } from 'node:module'; const require = __wsoCreateRequire(import.meta.url);";

export const BUNDLE_SETTINGS = {
  target: 'node24',
  format: 'esm',
  minify: true,
  sourceMap: true,
  // Sources stay in git; leaving them out of the map keeps the deployment package small.
  sourcesContent: false,
  // Prefer the ESM builds of dependencies: they tree-shake, CommonJS builds do not.
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
} as const;

/**
 * Modules replaced at bundle time (esbuild `alias`; paths relative to the repository root, which
 * is esbuild's working directory both in the CDK app and in the bundle report).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  // The SDK's default credential chain, replaced by the environment provider Lambda needs.
  '@aws-sdk/credential-provider-node': './shared/runtime/lambda-credentials.ts',
};

/** The file Lambda loads (`index.handler`); chunks sit beside it. */
export const BUNDLE_ENTRY_FILE = 'index.mjs';

/**
 * The esbuild options of one function's bundle: `entry` relative to the repository root (or
 * absolute), written to `outdir` as `index.mjs` plus its chunks, each with a source map.
 */
export function functionBuildOptions(entry: string, outdir: string, repoRoot: string): BuildOptions {
  return {
    entryPoints: { index: entry },
    absWorkingDir: repoRoot,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    target: BUNDLE_SETTINGS.target,
    format: BUNDLE_SETTINGS.format,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: { js: BUNDLE_SETTINGS.banner },
    alias: { ...BUNDLE_ALIASES },
    logLevel: 'error',
  };
}

/**
 * The outputs module init loads: the entry and every chunk it reaches by static imports (the
 * chunks reached only through `import()` load on demand). Paths as in the metafile.
 */
export function initialOutputs(metafile: Metafile, entryFile = BUNDLE_ENTRY_FILE): string[] {
  const entry = Object.keys(metafile.outputs).find((path) => path.endsWith(`/${entryFile}`));
  if (entry === undefined) throw new Error(`no ${entryFile} in the build`);
  const seen = new Set<string>();
  const pending = [entry];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && imported.path in metafile.outputs)
        pending.push(imported.path);
    }
  }
  return [...seen];
}

/** The shell command of the CDK afterBundling hook: this file, run by the Node that runs the app. */
export function bundleCommand(entry: string, outdir: string): string {
  const quote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`;
  return [process.execPath, 'infra/bundling.ts', entry, outdir].map(quote).join(' ');
}

if (import.meta.main) {
  const [entry, outdir] = process.argv.slice(2);
  if (!entry || !outdir) throw new Error('usage: node infra/bundling.ts <entry> <outdir>');
  const [{ build }, { rmSync, readdirSync }, { join }, { REPO_ROOT }] = await Promise.all([
    import('esbuild'),
    import('node:fs'),
    import('node:path'),
    import('./paths.ts'),
  ]);
  // NodejsFunction's own single-file output goes: the split build replaces it.
  for (const file of readdirSync(outdir)) {
    if (/\.mjs(\.map)?$/.test(file)) rmSync(join(outdir, file));
  }
  await build(functionBuildOptions(entry, outdir, REPO_ROOT));
}
