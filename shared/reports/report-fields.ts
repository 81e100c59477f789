/**
 * The figures of the oversight report (API.md "Oversight"), in the contract's field order: one
 * county-month's row, the totals, the CSV columns, and what a state profile may ask for.
 */
export const REPORT_FIELDS = [
  'warrantsServed',
  'holdsOpened',
  'transferredInTime',
  'transferredLate',
  'releasedByDeadline',
  'releasedLate',
  'overdue',
  'overdueMinutes',
  'cancelled',
  'igsaHolds',
  'open',
  'reviewsOpen',
  'reviewsClosed',
  'officersCredentialed',
  'medianHoursToTransfer',
  'p95HoursToTransfer',
] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];
