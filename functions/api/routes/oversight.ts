import * as z from 'zod';
import type { AppDeps } from '../../../shared/app-deps.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { ASSET_NAMES, loadAsset } from '../../../shared/reports/assets.ts';
import { reportToCsv } from '../../../shared/reports/csv.ts';
import { renderDashboard } from '../../../shared/reports/dashboard-page.ts';
import { PAGE_HEADERS } from '../../../shared/reports/html.ts';
import { addMonths, MAX_REPORT_MONTHS, monthIn, monthSpan } from '../../../shared/reports/months.ts';
import { rangeQuery, reportQuery, stateReportSchema } from '../../../shared/reports/report-schema.ts';
import { buildStateReport, type StateReport } from '../../../shared/reports/state-report.ts';
import { stateCode } from '../../../shared/schemas/common.ts';
import { listStateCounties, queryStateCounters } from '../../../shared/store/report-counters.ts';

const ROLES = ['state-oversight', 'platform-admin'] as const;
const stateParams = z.strictObject({ state: stateCode });

/**
 * Defaults to the twelve months up to the current one; `from` alone runs twelve months but never
 * past the current month (there are no figures yet); more than 24 months is a 400.
 */
function resolveRange(query: { from?: string | undefined; to?: string | undefined }, now: Date) {
  const current = monthIn(now, 'UTC');
  const fromOnlyEnd = (from: string) => {
    const twelve = addMonths(from, 11);
    return twelve < current ? twelve : from > current ? from : current;
  };
  const to = query.to ?? (query.from ? fromOnlyEnd(query.from) : current);
  const from = query.from ?? addMonths(to, -11);
  const span = monthSpan(from, to);
  if (span < 1) throw problems.validation([{ path: 'query.from', message: 'must not be after `to`' }]);
  if (span > MAX_REPORT_MONTHS) {
    throw problems.validation([
      { path: 'query.to', message: `a report covers at most ${MAX_REPORT_MONTHS} months` },
    ]);
  }
  return { from, to };
}

/** Two Queries whatever the number of holds: the state's counties and its counter items. */
async function loadReport(deps: AppDeps, state: string, from: string, to: string): Promise<StateReport> {
  const [counties, counterItems] = await Promise.all([
    listStateCounties(deps.db, state),
    queryStateCounters(deps.db, state, from, to),
  ]);
  return buildStateReport({ state, from, to, now: deps.clock.now(), counties, counterItems });
}

export const stateReportRoute = defineRoute({
  operationId: 'getStateReport',
  method: 'GET',
  path: '/v1/oversight/states/{state}/report',
  summary:
    'Oversight figures per county and month (JSON, or CSV with format=csv); counts only, no person data',
  tag: 'Oversight',
  access: ROLES,
  params: stateParams,
  query: reportQuery,
  responses: { 200: { description: 'The report (text/csv with format=csv)', schema: stateReportSchema } },
  problems: [],
  handle: async ({ params, query }, { deps }) => {
    const { from, to } = resolveRange(query, deps.clock.now());
    const report = await loadReport(deps, params.state, from, to);
    if (query.format === 'csv') {
      return {
        status: 200,
        body: reportToCsv(report),
        contentType: 'text/csv; charset=utf-8; header=present',
        headers: {
          'content-disposition': `attachment; filename="wso-oversight-${params.state}-${from}-to-${to}.csv"`,
        },
      };
    }
    return { status: 200, body: report };
  },
});

export const stateDashboardRoute = defineRoute({
  operationId: 'getStateDashboard',
  method: 'GET',
  path: '/v1/oversight/states/{state}/dashboard',
  summary: 'The oversight report as an HTML page with charts per county',
  tag: 'Oversight',
  access: ROLES,
  params: stateParams,
  query: rangeQuery,
  // People open it in a browser: a signed-in session lets them in (issue 18).
  page: true,
  responses: {
    200: {
      description: 'An HTML page (strict CSP; assets from /v1/oversight/assets)',
      contentType: 'text/html',
    },
  },
  problems: [],
  handle: async ({ params, query }, { deps }) => {
    const { from, to } = resolveRange(query, deps.clock.now());
    const report = await loadReport(deps, params.state, from, to);
    return {
      status: 200,
      body: renderDashboard(report),
      contentType: 'text/html; charset=utf-8',
      headers: PAGE_HEADERS,
    };
  },
});

export const oversightAssetRoute = defineRoute({
  operationId: 'getOversightAsset',
  method: 'GET',
  path: '/v1/oversight/assets/{file}',
  summary: 'Script and style files of the oversight pages (the charting library is served by us, no CDN)',
  tag: 'Oversight',
  // Public: a browser fetches these without the page's credential, and they hold no data.
  access: 'public',
  params: z.strictObject({ file: z.enum(ASSET_NAMES) }),
  query: z.strictObject({ v: z.string().min(1).max(64).optional() }),
  responses: {
    200: { description: 'The file', contentType: 'text/javascript' },
    304: { description: 'Not modified (If-None-Match)' },
  },
  problems: [],
  handle: async ({ params, query }, { headers }) => {
    const asset = loadAsset(params.file);
    const cacheHeaders = {
      etag: asset.etag,
      // Pages link with ?v=<content hash>, so a versioned URL never changes and may be kept a year.
      'cache-control': query.v ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    };
    if (headers['if-none-match'] === asset.etag) return { status: 304, headers: cacheHeaders };
    return { status: 200, body: asset.body, contentType: asset.contentType, headers: cacheHeaders };
  },
});

export const oversightRoutes = [stateReportRoute, stateDashboardRoute, oversightAssetRoute];
