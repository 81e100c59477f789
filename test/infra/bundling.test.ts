import { type BuildOptions, build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_ALIASES,
  BUNDLE_BUDGET_BYTES,
  BUNDLE_SETTINGS,
  FUNCTION_ENTRIES,
  type FunctionKey,
} from '../../infra/bundling.ts';
import { fromRepoRoot, REPO_ROOT } from '../../infra/paths.ts';

/** Bundles one function with the deployed settings (as NodejsFunction and `npm run bench:bundle` do). */
async function bundle(key: FunctionKey): Promise<{ bytes: number; inputs: string[] }> {
  const options: BuildOptions = {
    entryPoints: [fromRepoRoot(FUNCTION_ENTRIES[key])],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: BUNDLE_SETTINGS.target,
    format: BUNDLE_SETTINGS.format,
    minify: BUNDLE_SETTINGS.minify,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: { js: BUNDLE_SETTINGS.banner },
    alias: { ...BUNDLE_ALIASES },
    outfile: `/tmp/wso-bundling-test/${key}/index.mjs`,
    write: false,
    metafile: true,
    logLevel: 'error',
  };
  const result = await build(options);
  const metafile: Metafile = result.metafile ?? { inputs: {}, outputs: {} };
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs'))?.[1];
  return { bytes: output?.bytes ?? 0, inputs: Object.keys(output?.inputs ?? {}) };
}

describe('function bundles', () => {
  it('replace the SDK default credential chain by the environment provider', async () => {
    const { inputs } = await bundle('holdTimer');
    expect(inputs.some((path) => path.includes('shared/runtime/lambda-credentials.ts'))).toBe(true);
    expect(inputs.some((path) => path.includes('@aws-sdk/credential-provider-env'))).toBe(true);
    expect(
      inputs.filter((path) => /credential-provider-(node|ini|sso|web-identity)|nested-clients/.test(path)),
    ).toEqual([]);
  }, 60_000);

  it("leave out zod's locales other than English (zod is imported as a namespace)", async () => {
    const { inputs } = await bundle('holdTimer');
    const locales = inputs.filter((path) => path.includes('/zod/v4/locales/'));
    expect(locales.length).toBeGreaterThan(0);
    expect(locales.every((path) => path.endsWith('/locales/en.js'))).toBe(true);
  }, 60_000);

  it('keep the authorizer, on every request path, within the DESIGN.md §8 budget', async () => {
    const { bytes } = await bundle('authorizer');
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  }, 60_000);
});
