import type { JurisdictionProfileInput } from '../profile-schema.ts';

/**
 * States without a profile of their own: the federal program alone.
 *
 * Source: ICE's WSO program (287(g) Warrant Service Officer model, launched May 2019) and its
 * Memorandum of Agreement: the 48-hour limit is the deadline rule's (WSO-48H), not a state duty,
 * so it is not repeated here. No state-law notice or report duty is assumed.
 */
export const DEFAULT_PROFILE = {
  jurisdiction: 'DEFAULT',
  profileVersion: 1,
  name: 'Federal WSO program only (no state profile)',
  preReleaseNoticeLeadMinutes: 0,
  reportFields: [
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
    'reviewsOpen',
    'reviewsClosed',
    'medianHoursToTransfer',
    'p95HoursToTransfer',
  ],
  sources: [
    {
      citation: 'ICE 287(g) Warrant Service Officer program, Memorandum of Agreement (2019)',
      duty: 'A credentialed WSO officer serves ICE administrative warrants (I-200/I-205) in the jail; ICE has 48 hours to take custody.',
    },
  ],
} satisfies JurisdictionProfileInput;
