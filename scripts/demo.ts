/**
 * `npm run demo`: fills a running `npm start` with six Florida counties and six months of holds,
 * through the public API only, then prints where to look.
 *
 * Environment: WSO_URL (default http://127.0.0.1:3000); WSO_ADMIN_KEY (default: the key `npm start`
 * keeps in .local-data/admin-key); DEMO_MONTHS (default 6).
 */
import { existsSync, readFileSync } from 'node:fs';
import { FLORIDA_COUNTIES, seedState } from './demo-data.ts';
import { DEMO_ACCESS, mapDemoPeople } from './demo-people.ts';

const STATE = 'FL';

function adminKey(): string {
  if (process.env.WSO_ADMIN_KEY) return process.env.WSO_ADMIN_KEY;
  const file = process.env.WSO_DATA_DIR ? `${process.env.WSO_DATA_DIR}/admin-key` : '.local-data/admin-key';
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error(`set WSO_ADMIN_KEY to the platform-admin key npm start printed (no ${file} found)`);
}

interface ReportTotals {
  totals: { warrantsServed: number };
}

/** The report counters follow the change stream; wait until they have caught up with what we wrote. */
async function waitForCounters(
  url: string,
  key: string,
  from: string,
  to: string,
  atLeast: number,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/v1/oversight/states/${STATE}/report?from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    if (response.ok && ((await response.json()) as ReportTotals).totals.warrantsServed >= atLeast) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  console.warn('  the report counters have not caught up yet: reload the dashboard in a few seconds');
}

async function main(): Promise<void> {
  const url = (process.env.WSO_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
  const months = Number(process.env.DEMO_MONTHS ?? 6);
  if (!Number.isInteger(months) || months < 1 || months > 24) throw new Error('DEMO_MONTHS must be 1 to 24');
  const health = await fetch(`${url}/v1/health`).catch(() => undefined);
  if (!health?.ok) throw new Error(`no WSO API at ${url}: start it with \`npm start\` first`);

  const started = Date.now();
  console.log(`Seeding ${FLORIDA_COUNTIES.length} ${STATE} counties, ${months} months, at ${url}`);
  const seeded = await seedState({
    baseUrl: url,
    adminKey: adminKey(),
    state: STATE,
    counties: FLORIDA_COUNTIES,
    months,
    seed: Number(process.env.DEMO_SEED ?? Date.now() % 100_000),
    log: (line) => console.log(line),
  });
  const to = seeded.now.slice(0, 7);
  const fromDate = new Date(Date.parse(`${to}-01T00:00:00Z`));
  fromDate.setUTCMonth(fromDate.getUTCMonth() - (months - 1));
  const from = fromDate.toISOString().slice(0, 7);
  await waitForCounters(url, seeded.stateKey, from, to, seeded.holdIds.length);
  // The local provider's demo people get their pages (npm start printed their credentials).
  const seededTenants = new Set(seeded.counties.map((county) => county.spec.tenantId));
  await mapDemoPeople(url, adminKey(), (access) => 'state' in access || seededTenants.has(access.tenantId));
  const first = seeded.counties[0];
  const range = `from=${from}&to=${to}`;
  const people = Object.entries(DEMO_ACCESS)
    .filter(([, access]) => 'state' in access || seededTenants.has(access.tenantId))
    .map(
      ([login, access]) =>
        `    ${login.padEnd(20)} ${'state' in access ? `${access.state} dashboard` : `${access.tenantId} hold board`}`,
    );
  console.log(
    [
      '',
      `Done: ${seeded.holdIds.length} holds in ${Math.round((Date.now() - started) / 1000)} s.`,
      '',
      'Open in a browser and sign in (npm start printed the demo people\u2019s passwords and TOTP secrets):',
      `  Dashboard:  ${url}/v1/oversight/states/${STATE}/dashboard?${range}`,
      first ? `  Hold board: ${url}/v1/tenants/${first.spec.tenantId}/hold-board` : '',
      '  Who may open what:',
      ...people,
      '',
      `  Report (JSON, for machines): ${url}/v1/oversight/states/${STATE}/report?${range}   (&format=csv for CSV)`,
      `  State-oversight key (${STATE}): ${seeded.stateKey}`,
      `    curl -H "authorization: Bearer ${seeded.stateKey}" "${url}/v1/oversight/states/${STATE}/report?${range}&format=csv"`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
