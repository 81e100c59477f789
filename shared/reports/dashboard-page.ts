/**
 * The state oversight dashboard: the report rendered server-side into one HTML page. Every figure
 * is in a table (readable without script, printable, and what the browser test reads); the charts
 * are drawn by our dashboard.js from the same report, embedded as a JSON data block.
 */
import { signOutForm } from '../sessions/pages.ts';
import { escapeHtml, formatCount, formatHours, jsonBlock, page } from './html.ts';
import type { Figures, MonthFigures, StateReport } from './state-report.ts';

/** Page → assets: `/v1/oversight/states/{state}/dashboard` → `/v1/oversight/assets/`. */
const ASSET_PREFIX = '../../assets/';

interface Column {
  field: keyof Figures;
  label: string;
  hours?: boolean;
  warn?: boolean;
}

const COLUMNS: readonly Column[] = [
  { field: 'warrantsServed', label: 'Warrants served' },
  { field: 'holdsOpened', label: 'WSO holds' },
  { field: 'transferredInTime', label: 'Transferred in time' },
  { field: 'transferredLate', label: 'Transferred late', warn: true },
  { field: 'releasedByDeadline', label: 'Released by deadline' },
  { field: 'releasedLate', label: 'Released late', warn: true },
  { field: 'overdue', label: 'Overdue', warn: true },
  { field: 'overdueMinutes', label: 'Overdue minutes', warn: true },
  { field: 'cancelled', label: 'Cancelled' },
  { field: 'igsaHolds', label: 'IGSA holds' },
  { field: 'open', label: 'Still open' },
  { field: 'reviewsOpen', label: 'Reviews open' },
  { field: 'reviewsClosed', label: 'Reviews closed' },
  { field: 'officersCredentialed', label: 'Officers credentialed' },
  { field: 'medianHoursToTransfer', label: 'Median h to transfer', hours: true },
  { field: 'p95HoursToTransfer', label: 'p95 h to transfer', hours: true },
];

function cells(figures: Figures): string {
  return COLUMNS.map((column) => {
    const value = figures[column.field];
    const text = column.hours ? formatHours(value) : formatCount(value ?? 0);
    const warn = column.warn && typeof value === 'number' && value > 0 ? ' class="warn"' : '';
    return `<td data-field="${column.field}"${warn}>${escapeHtml(text)}</td>`;
  }).join('');
}

const headRow = (first: string): string =>
  `<tr><th scope="col">${first}</th>${COLUMNS.map((column) => `<th scope="col">${escapeHtml(column.label)}</th>`).join('')}</tr>`;

function monthTable(
  caption: string,
  tenantId: string,
  months: readonly MonthFigures[],
  totals: Figures,
): string {
  const rows = months
    .map(
      (month) =>
        `<tr data-tenant="${escapeHtml(tenantId)}" data-month="${month.month}"><th scope="row">${month.month}</th>${cells(month)}</tr>`,
    )
    .join('\n');
  return `<div class="table-wrap"><table class="figures">
<caption>${escapeHtml(caption)}</caption>
<thead>${headRow('Month')}</thead>
<tbody>
${rows}
<tr class="total" data-tenant="${escapeHtml(tenantId)}" data-month="total"><th scope="row">Total</th>${cells(totals)}</tr>
</tbody></table></div>`;
}

function card(label: string, value: string, tone = ''): string {
  return `<div class="card ${tone}"><span class="value">${escapeHtml(value)}</span><span class="label">${escapeHtml(label)}</span></div>`;
}

function charts(tenantId: string | undefined, name: string): string {
  const tenant = tenantId ? ` data-tenant="${escapeHtml(tenantId)}"` : '';
  return `<div class="charts">
<figure><figcaption>${escapeHtml(name)}: holds and outcomes by month of service</figcaption><div class="chart" data-chart="outcomes"${tenant} role="img" aria-label="Holds, transfers in time, releases by deadline and overdue holds per month"></div></figure>
<figure><figcaption>${escapeHtml(name)}: hours from service to transfer</figcaption><div class="chart" data-chart="hours"${tenant} role="img" aria-label="Median and 95th percentile hours to transfer per month"></div></figure>
</div>`;
}

const DEFINITIONS = `<section class="definitions"><h2>How the figures are counted</h2><dl>
<dt>Month</dt><dd>Every figure of a hold counts in the calendar month it was served, in the county’s own time zone.</dd>
<dt>Warrants served, WSO holds, IGSA holds</dt><dd>Warrants served counts every recorded service; WSO holds start the 48-hour clock; IGSA holds have no clock and are counted apart. The other figures are of WSO holds.</dd>
<dt>In time, by deadline, late</dt><dd>Compared with the deadline (service + 48 h) by the time of the fact itself, not by when it was entered.</dd>
<dt>Overdue and overdue minutes</dt><dd>Holds held past the deadline: closed by a late transfer or release, or still open past it. Minutes run from the deadline to the transfer or release, or to the time of this report for holds still open.</dd>
<dt>Hours to transfer</dt><dd>Median and 95th percentile of service-to-transfer time, to the quarter hour below 48 h (the upper edge of the histogram bucket).</dd>
<dt>Person data</dt><dd>None: these are counts only. No names, dates of birth or booking numbers are kept in the report counters.</dd>
</dl></section>`;

export function renderDashboard(report: StateReport): string {
  const { totals } = report;
  const summary = [
    card('Warrants served', formatCount(totals.warrantsServed)),
    card('Transferred in time', formatCount(totals.transferredInTime), 'good'),
    card('Released by deadline', formatCount(totals.releasedByDeadline)),
    card('Overdue holds', formatCount(totals.overdue), totals.overdue > 0 ? 'bad' : ''),
    card(
      'Overdue hours',
      formatCount(Math.round(totals.overdueMinutes / 60)),
      totals.overdue > 0 ? 'bad' : '',
    ),
    card('Median h to transfer', formatHours(totals.medianHoursToTransfer)),
    card('p95 h to transfer', formatHours(totals.p95HoursToTransfer)),
  ].join('\n');
  const countyRows = report.counties
    .map(
      (county) =>
        `<tr data-tenant="${escapeHtml(county.tenantId)}" data-month="total"><th scope="row"><a href="#county-${escapeHtml(county.tenantId)}">${escapeHtml(county.name)}</a></th>${cells(county.totals)}</tr>`,
    )
    .join('\n');
  const overview = `<div class="table-wrap"><table class="figures" id="state-totals">
<caption>Counties, ${report.from} to ${report.to}</caption>
<thead>${headRow('County')}</thead>
<tbody>
${countyRows || `<tr><td class="empty text" colspan="${COLUMNS.length + 1}">No county of this state is onboarded yet.</td></tr>`}
<tr class="total" data-tenant="${escapeHtml(report.state)}" data-month="total"><th scope="row">State total</th>${cells(totals)}</tr>
</tbody></table></div>`;
  const counties = report.counties
    .map(
      (county) => `<section class="county" id="county-${escapeHtml(county.tenantId)}">
<h2>${escapeHtml(county.name)} <small>(FIPS ${escapeHtml(county.countyFips)}, ${escapeHtml(county.timeZone)})</small></h2>
${charts(county.tenantId, county.name)}
${monthTable(`${county.name} by month`, county.tenantId, county.months, county.totals)}
</section>`,
    )
    .join('\n');
  const body = `<header>
<h1>${escapeHtml(report.state)}: WSO custody oversight</h1>
${signOutForm('../../../sign-out')}
<p class="lede">Months ${report.from} to ${report.to} · ${report.counties.length} counties · figures as of ${escapeHtml(report.generatedAt)}</p>
</header>
<main>
<section class="cards" aria-label="State totals">${summary}</section>
<noscript><p class="empty">Charts need JavaScript; every figure is in the tables below.</p></noscript>
${charts(undefined, 'All counties')}
${overview}
${counties}
${DEFINITIONS}
</main>
<script type="application/json" id="report-data">${jsonBlock(report)}</script>`;
  return page({
    title: `${report.state} WSO oversight ${report.from} to ${report.to}`,
    assetPrefix: ASSET_PREFIX,
    styles: ['uplot.css', 'oversight.css'],
    scripts: ['uplot.js', 'dashboard.js'],
    body,
  });
}
