import { type BuildOptions, build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  FUNCTION_ENTRIES,
  type FunctionKey,
  functionBuildOptions,
  initialOutputs,
} from '../../infra/bundling.ts';
import { REPO_ROOT } from '../../infra/paths.ts';

/** Bundles one function with the deployed options (as the CDK hook and `npm run bench:bundle` do). */
async function bundle(key: FunctionKey): Promise<{ all: string[]; initial: string[] }> {
  const options: BuildOptions = {
    ...functionBuildOptions(FUNCTION_ENTRIES[key], `/tmp/wso-bundling-test/${key}`, REPO_ROOT),
    write: false,
    metafile: true,
  };
  const metafile = (await build(options)).metafile as Metafile;
  const inputsOf = (paths: readonly string[]) => [
    ...new Set(paths.flatMap((path) => Object.keys(metafile.outputs[path]?.inputs ?? {}))),
  ];
  return { all: inputsOf(Object.keys(metafile.outputs)), initial: inputsOf(initialOutputs(metafile)) };
}

const bundles = new Map<FunctionKey, Promise<{ all: string[]; initial: string[] }>>();
const bundleOf = (key: FunctionKey) => {
  let pending = bundles.get(key);
  if (pending === undefined) {
    pending = bundle(key);
    bundles.set(key, pending);
  }
  return pending;
};

const CLIENTS = ['dynamodb', 'scheduler', 'sqs', 'api-gateway', 'sts', 'kms', 's3'] as const;
type Client = (typeof CLIENTS)[number];
const clientsIn = (inputs: readonly string[]): Client[] =>
  CLIENTS.filter((client) => inputs.some((path) => path.includes(`node_modules/@aws-sdk/client-${client}/`)));

/**
 * Per function: the clients module init may load (DynamoDB: every function reads the table), and
 * the ones its package may hold at all, loaded on demand. Anything else is a client it never uses.
 */
const EXPECTED: Partial<Record<FunctionKey, { initial: Client[]; package: Client[] }>> = {
  // Issue 19: key issuance (API Gateway) runs in the admin API function only.
  // Issue 19 item 8: KMS seals a new webhook subscription's secret (api) and opens it (webhookSender).
  api: { initial: ['dynamodb'], package: ['dynamodb', 'scheduler', 'sqs', 'sts', 'kms'] },
  adminApi: {
    initial: ['dynamodb'],
    package: ['dynamodb', 'scheduler', 'sqs', 'api-gateway', 'sts', 'kms', 's3'],
  },
  authorizer: { initial: ['dynamodb'], package: ['dynamodb'] },
  holdTimer: { initial: ['dynamodb'], package: ['dynamodb', 'scheduler'] },
  sweeper: { initial: ['dynamodb'], package: ['dynamodb', 'scheduler'] },
  stream: { initial: ['dynamodb'], package: ['dynamodb', 'sqs'] },
  webhookSender: { initial: ['dynamodb'], package: ['dynamodb', 'sqs', 'kms'] },
  sealer: { initial: ['dynamodb'], package: ['dynamodb', 'kms', 's3'] },
  // Issue 17: notices leave through the outbox; the jobs touch the table only.
  dailyJobs: { initial: ['dynamodb'], package: ['dynamodb'] },
};

describe('function bundles', () => {
  it('replace the SDK default credential chain by the environment provider', async () => {
    const { all } = await bundleOf('holdTimer');
    expect(all.some((path) => path.includes('shared/runtime/lambda-credentials.ts'))).toBe(true);
    expect(all.some((path) => path.includes('@aws-sdk/credential-provider-env'))).toBe(true);
    expect(
      all.filter((path) => /credential-provider-(node|ini|sso|web-identity)|nested-clients/.test(path)),
    ).toEqual([]);
  }, 60_000);

  it("leave out zod's locales other than English (zod is imported as a namespace)", async () => {
    const { all } = await bundleOf('holdTimer');
    const locales = all.filter((path) => path.includes('/zod/v4/locales/'));
    expect(locales.length).toBeGreaterThan(0);
    expect(locales.every((path) => path.endsWith('/locales/en.js'))).toBe(true);
  }, 60_000);

  it.each(Object.keys(FUNCTION_ENTRIES) as FunctionKey[])(
    "%s: module init loads no client but DynamoDB's, and the package holds no client the function never uses",
    async (key) => {
      const expected = EXPECTED[key];
      expect(expected, `declare the clients of ${key} in EXPECTED`).toBeDefined();
      const { initial, all } = await bundleOf(key);
      expect(clientsIn(initial)).toEqual(expected?.initial);
      expect(clientsIn(all)).toEqual(expected?.package);
    },
    60_000,
  );

  it.each(Object.keys(FUNCTION_ENTRIES) as FunctionKey[])(
    '%s: module init builds no zod schema (the first event loads them with the code that parses)',
    async (key) => {
      const { initial, all } = await bundleOf(key);
      const eventCode = (inputs: readonly string[]) =>
        inputs.filter((path) =>
          /functions\/api\/routes\/|node_modules\/zod\/|node_modules\/@middy\//.test(path),
        );
      // The authorizer and the daily jobs (an empty scheduled event) parse no input with zod.
      if (key !== 'authorizer' && key !== 'dailyJobs') expect(eventCode(all).length).toBeGreaterThan(0);
      expect(eventCode(initial)).toEqual([]);
    },
    60_000,
  );
});
