import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAccount, totpOf } from '../../local/oidc/demo-people.ts';
import { FLORIDA_COUNTIES, type SeedResult, seedState } from '../../scripts/demo-data.ts';
import { mapDemoPeople } from '../../scripts/demo-people.ts';
import type { StateReport } from '../../shared/reports/state-report.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * The pages as a person uses them: Debian's Chromium, driven by playwright-core, opens a page, is
 * sent to the local identity provider, types the username, password and authenticator code into its
 * form, follows the redirects back, and reads the figures, which must be the JSON report's, with
 * charts drawn under the page's strict CSP. No header is injected: the session cookie is the only
 * credential the browser has. Screenshots go to test-results/ (git-ignored).
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/**
 * The little of the DOM the page functions touch. The project's tsconfig has no DOM lib (server
 * code must not see browser globals), so callbacks that run in the page type what they use.
 */
interface DomElement {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  closest(selector: string): DomElement | null;
  querySelector(selector: string): DomElement | null;
}
interface DomCanvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number } };
  getComputedStyle(element: DomElement): { backgroundColor: string };
}

/** Types the person's credentials into the provider's form, as a person would, and submits it. */
async function signInAt(page: Page, account: LocalAccount): Promise<void> {
  await page.waitForSelector('form #username');
  await page.fill('#username', account.login);
  await page.fill('#password', account.password);
  await page.fill('#code', totpOf(account).generate());
  await page.click('#sign-in');
}

const account = (accounts: readonly LocalAccount[], login: string): LocalAccount => {
  const found = accounts.find((candidate) => candidate.login === login);
  if (!found) throw new Error(`no local account ${login}`);
  return found;
};

// In CI Chromium is installed by .ci/run, so a missing browser there is a failure, never a skip.
const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

describe.skipIf(skip)('the oversight dashboard in Chromium', () => {
  const runtime = useRuntime();
  let browser: Browser;
  let seeded: SeedResult;
  let report: StateReport;
  const range = 'from=2026-09&to=2026-11';

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
    seeded = await seedState({
      baseUrl: runtime().url,
      adminKey: runtime().adminKey,
      state: 'FL',
      counties: [
        { ...FLORIDA_COUNTIES[0], holdsPerMonth: 14 },
        { ...FLORIDA_COUNTIES[1], holdsPerMonth: 10 },
      ] as (typeof FLORIDA_COUNTIES)[number][],
      months: 3,
      seed: 11,
      runTag: 'B1',
      concurrency: 6,
    });
    for (let round = 0; round < 20 && (await runtime().drainStreams()) > 0; round++);
    // The demo's people: the FL and GA auditors, the Pinellas and Hillsborough administrators.
    await mapDemoPeople(runtime().url, runtime().adminKey);
    const response = await new ApiClient(runtime().url).get<StateReport>(
      `/v1/oversight/states/FL/report?${range}`,
      { key: seeded.stateKey },
    );
    expect(response.status).toBe(200);
    report = response.body;
    mkdirSync('test-results', { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('signs a state auditor in at the provider, shows the JSON report\u2019s figures and charts, refuses another state, locks after 30 idle minutes, and signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const auditor = account(runtime().oidc.accounts, 'auditor.fl');
    const dashboard = `${runtime().url}/v1/oversight/states/FL/dashboard?${range}`;

    // No session: the page sends the browser to sign in, and back to this very page.
    await page.goto(dashboard);
    expect(page.url().startsWith(runtime().oidc.issuer)).toBe(true);
    const answered = page.waitForResponse((r) => r.url() === dashboard && r.status() === 200);
    await signInAt(page, auditor);
    const response = await answered;
    expect(response.headers()['content-security-policy']).toContain("script-src 'self'");
    const cookies = await context.cookies(runtime().url);
    expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite }))).toContainEqual(
      {
        name: 'wso-session',
        httpOnly: true,
        sameSite: 'Strict',
      },
    );

    const charts = 2 + 2 * report.counties.length;
    await page.waitForFunction(
      (count) =>
        (globalThis as unknown as PageGlobals).document.querySelectorAll('[data-chart][data-rendered="true"]')
          .length === count,
      charts,
      { timeout: 15_000 },
    );

    // Every county-month row and every total on the page, read back from the DOM.
    const cells = await page.$$eval('tr[data-tenant][data-month] td[data-field]', (tds: DomElement[]) =>
      tds.map((td) => {
        const row = td.closest('tr');
        return {
          tenant: row?.dataset.tenant ?? '',
          month: row?.dataset.month ?? '',
          field: td.dataset.field ?? '',
          text: td.textContent ?? '',
        };
      }),
    );
    const shown = (text: string): number | null =>
      text === '\u2014' ? null : Number(text.replace(/,/g, ''));
    let compared = 0;
    for (const cell of cells) {
      const county = report.counties.find((c) => c.tenantId === cell.tenant);
      const figures =
        cell.tenant === 'FL'
          ? report.totals
          : cell.month === 'total'
            ? county?.totals
            : county?.months.find((m) => m.month === cell.month);
      expect(figures, `${cell.tenant} ${cell.month}`).toBeDefined();
      const expected = (figures as unknown as Record<string, number | null>)[cell.field];
      expect(shown(cell.text), `${cell.tenant} ${cell.month} ${cell.field}`).toBe(expected);
      compared += 1;
    }
    // Per county: its months and its total, twice (overview and section), plus the state total.
    expect(compared).toBe(16 * (report.counties.length * (3 + 2) + 1));
    expect(report.totals.warrantsServed).toBeGreaterThan(20);

    // The charts are canvases with something drawn on them.
    const painted = await page.$$eval('[data-chart] canvas', (canvases: DomCanvas[]) =>
      canvases.map((canvas) => {
        const context2d = canvas.getContext('2d');
        const { width, height } = canvas;
        if (!context2d || width === 0 || height === 0) return 0;
        const pixels = context2d.getImageData(0, 0, width, height).data;
        let inked = 0;
        for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] ?? 0) > 0) inked += 1;
        return inked;
      }),
    );
    expect(painted).toHaveLength(charts);
    for (const inked of painted) expect(inked).toBeGreaterThan(500);
    expect(problems, problems.join('\n')).toEqual([]);

    await page.screenshot({ path: 'test-results/oversight-dashboard.png', fullPage: true });

    // Another state's dashboard is refused, exactly as the API refuses the FL key (404, no data).
    const foreign = await page.goto(`${runtime().url}/v1/oversight/states/GA/dashboard?${range}`);
    expect(foreign?.status()).toBe(404);
    expect(await page.content()).not.toContain('data-chart');

    // 31 minutes without activity on the virtual clock: the session is locked, sign in again.
    const advanced = await fetch(`${runtime().url}/_local/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceBy: 'PT31M' }),
    });
    expect(advanced.status).toBe(200);
    await page.goto(dashboard);
    expect(page.url().startsWith(runtime().oidc.issuer)).toBe(true);
    await page.waitForSelector('form #username');
    await signInAt(page, auditor);
    await page.waitForURL(dashboard);
    await page.waitForSelector('#sign-out');

    // Signing out ends the session: the page asks for sign-in again.
    await page.click('#sign-out');
    await page.waitForSelector('text=You have signed out');
    await page.goto(dashboard);
    expect(page.url().startsWith(runtime().oidc.issuer)).toBe(true);
    await context.close();
  });

  it('signs a county administrator in to the county\u2019s hold board with urgency colours', async () => {
    const county = seeded.counties[0];
    if (!county) throw new Error('county expected');
    const context = await browser.newContext({ viewport: { width: 1300, height: 800 } });
    const page = await context.newPage();
    const board = `${runtime().url}/v1/tenants/${county.spec.tenantId}/hold-board`;
    await page.goto(board);
    await signInAt(page, account(runtime().oidc.accounts, 'admin.pinellas'));
    await page.waitForURL(board);
    // It reloads itself for the control-room screen and says as of when.
    expect(await page.getAttribute('meta[http-equiv="refresh"]', 'content')).toBe('60');
    expect(await page.getAttribute('#as-of', 'data-as-of')).toBe(runtime().clock.now().toISOString());
    const rows = await page.$$eval('#hold-board tbody tr[data-urgency]', (trs: DomElement[]) =>
      trs.map((tr) => {
        const remaining = tr.querySelector('td.remaining');
        const { getComputedStyle } = globalThis as unknown as PageGlobals;
        return {
          urgency: tr.dataset.urgency,
          colour: remaining ? getComputedStyle(remaining).backgroundColor : '',
        };
      }),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => row.urgency === 'late')).toBe(true);
    // The stylesheet (served by us, allowed by the CSP) coloured the late rows red.
    for (const row of rows.filter((r) => r.urgency === 'late')) expect(row.colour).toBe('rgb(183, 28, 28)');
    await page.screenshot({ path: 'test-results/hold-board.png', fullPage: true });
    await context.close();
  });
});
