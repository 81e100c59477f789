/**
 * `npm run soak [-- --holds 5000 --counties 20 --seed 7]`: the full soak on its own in-memory
 * DynamoDB Local and a frozen virtual clock. Prints the report; exits 1 on any violated invariant.
 */
import { parseArgs } from 'node:util';
import { startLocalRuntime } from '../../local/runtime.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { randomSecret } from '../../shared/ids.ts';
import { DEFAULT_FAULTS, runSoak } from './soak-run.ts';

const { values } = parseArgs({
  options: {
    holds: { type: 'string', default: '5000' },
    counties: { type: 'string', default: '20' },
    seed: { type: 'string', default: '20261124' },
    'spread-hours': { type: 'string', default: '72' },
  },
});

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
const runtime = await startLocalRuntime({
  adminKey: `soak_admin_${randomSecret(18)}`,
  clock: new VirtualClock({ start: new Date('2026-11-24T03:00:00Z') }),
});
// Stopping the runtime stops its DynamoDB Local JVM, which would otherwise outlive an interrupted soak.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void runtime.stop().finally(() => process.exit(130));
  });
}
try {
  const report = await runSoak(runtime, {
    holds: Number(values.holds),
    counties: Number(values.counties),
    seed: Number(values.seed),
    spreadHours: Number(values['spread-hours']),
    faults: DEFAULT_FAULTS,
    log: (line) => console.log(line),
  });
  console.log(JSON.stringify(report, null, 2));
  process.exitCode = report.violations.length === 0 ? 0 : 1;
} finally {
  await runtime.stop();
}
