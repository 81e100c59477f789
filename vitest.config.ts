import { globSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * Unit and CDK template tests need no DynamoDB Local and hold no state outside their modules, so
 * they share one test process (`isolate: false`): each test file then skips the second or more of
 * module loading it costs alone (aws-cdk-lib above all), and the infra files synthesize the app once
 * (test/infra/support/synth.ts). A file that patches process-wide state (module mocks, SDK client
 * stubs, environment variables) runs in a process of its own, found here by what its source does,
 * so a new file of that kind cannot leak its stubs into the shared process.
 */
const SHARED_CANDIDATES = ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'];
const PATCHES_PROCESS_STATE =
  /\bvi\.(?:mock|doMock|stubEnv|stubGlobal)\(|\bmockClient\(|\bprocess\.env(?:\.\w+|\[[^\]]+\])?\s*=[^=]/;

const sharedFiles = SHARED_CANDIDATES.flatMap((pattern) => globSync(pattern)).filter(
  (file) => !PATCHES_PROCESS_STATE.test(readFileSync(file, 'utf8')),
);

export default defineConfig({
  test: {
    // Generous: a test asserts behaviour, never speed, and CI may share its 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Request logs are structured JSON on stdout in AWS and `npm start`; tests keep the output readable
    // (TEST_LOG_LEVEL=ERROR shows what a 500 logged).
    env: { POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'SILENT' },
    // The JSON report lets .ci/run print a one-line tally of the run.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: { name: 'shared-process', include: sharedFiles, isolate: false },
      },
      {
        extends: true,
        // Everything else, each file in a fresh process (integration files each start their own
        // DynamoDB Local: test/support/dynamodb.ts).
        test: {
          name: 'isolated',
          include: ['test/**/*.test.ts'],
          exclude: sharedFiles,
          // Starts each file's DynamoDB Local while the previous file runs.
          globalSetup: ['test/support/dynamodb-pool.ts'],
        },
      },
    ],
  },
});
