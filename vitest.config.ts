import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: a test asserts behaviour, never speed, and CI may share its 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Request logs are structured JSON on stdout in AWS and `npm start`; tests keep the output readable
    // (TEST_LOG_LEVEL=ERROR shows what a 500 logged).
    env: { POWERTOOLS_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'SILENT' },
    // The JSON report lets .ci/run print a one-line tally of the run.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
  },
});
