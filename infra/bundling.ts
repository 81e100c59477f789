/**
 * One description of how every function is bundled, used by the CDK app (NodejsFunction) and by
 * the bundle-size report (`npm run bench:bundle`), so the report measures what gets deployed.
 */

/** The Lambda entries, relative to the repository root; each exports `handler`. */
export const FUNCTION_ENTRIES = {
  api: 'functions/api/handler.ts',
  authorizer: 'functions/authorizer/handler.ts',
  holdTimer: 'functions/hold-timer/handler.ts',
  sweeper: 'functions/sweeper/handler.ts',
  stream: 'functions/stream/handler.ts',
  webhookSender: 'functions/webhook-sender/handler.ts',
  sealer: 'functions/sealer/handler.ts',
} as const;

export type FunctionKey = keyof typeof FUNCTION_ENTRIES;

/**
 * esbuild turns CommonJS dependencies into `__require(...)` calls, which throw inside an ES module
 * unless a `require` exists. Defining one from `createRequire` keeps ESM end to end (DESIGN.md §9).
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

/** DESIGN.md §8: per-function bundle budget. */
export const BUNDLE_BUDGET_BYTES = 250 * 1024;
