/**
 * Calendar months (`YYYY-MM`) for oversight reports. A hold's figures belong to the month it was
 * served in the county's own time zone: a warrant served at 22:00 on 31 March in Pensacola is a
 * March service for the county and its auditors, although it is already April in UTC.
 */
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Reports span at most this many months: a bounded number of counter items per county. */
export const MAX_REPORT_MONTHS = 24;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The `YYYY-MM` an instant falls in, in the given IANA time zone. */
export function monthIn(instant: string | Date, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(
    typeof instant === 'string' ? new Date(instant) : instant,
  );
  const year = parts.find((part) => part.type === 'year')?.value;
  const month = parts.find((part) => part.type === 'month')?.value;
  if (!year || !month) throw new RangeError(`cannot read a month from ${String(instant)}`);
  return `${year}-${month}`;
}

const toIndex = (month: string): number => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
const fromIndex = (index: number): string =>
  `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;

export const addMonths = (month: string, count: number): string => fromIndex(toIndex(month) + count);

/** How many months `from..to` covers, both included (0 or less when `to` is before `from`). */
export const monthSpan = (from: string, to: string): number => toIndex(to) - toIndex(from) + 1;

/** Every month from `from` to `to`, both included. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let index = toIndex(from); index <= toIndex(to); index++) months.push(fromIndex(index));
  return months;
}

/** 00:00 UTC on the first day of the month, in epoch seconds (the dashboard charts' x values). */
export const monthStartSeconds = (month: string): number =>
  Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1, 1) / 1000;
