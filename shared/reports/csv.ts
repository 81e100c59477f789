/** The state report as CSV (RFC 4180): a header row, then one row per county and month. */
import { REPORT_FIELDS } from './report-fields.ts';
import type { StateReport } from './state-report.ts';

const HEADER = ['state', 'tenantId', 'countyFips', 'county', 'month', ...REPORT_FIELDS];

/**
 * Quotes when needed, and defuses cells a spreadsheet would run as a formula (CSV injection):
 * county names are free text typed by a person.
 */
function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportToCsv(report: StateReport): string {
  const lines = [HEADER.join(',')];
  for (const county of report.counties) {
    for (const month of county.months) {
      const values = [report.state, county.tenantId, county.countyFips, county.name, month.month];
      lines.push([...values, ...REPORT_FIELDS.map((field) => month[field])].map(cell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
