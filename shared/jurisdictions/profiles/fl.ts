import type { JurisdictionProfileInput } from '../profile-schema.ts';

/**
 * Florida.
 *
 * Source: Florida's 2025 immigration enforcement act (Special Session C, SB 2-C) created the State
 * Board of Immigration Enforcement, which collects immigration-enforcement data from state and
 * local agencies and reports on it. The profile asks for the report figures a board would need to
 * see how WSO holds end; it does not claim the board prescribes these exact figures.
 *
 * No pre-release notice: we know of no Florida statute that sets a notice lead for WSO holds.
 */
export const FL_PROFILE = {
  jurisdiction: 'FL',
  profileVersion: 1,
  name: 'Florida: State Board of Immigration Enforcement reporting',
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
    'officersCredentialed',
    'medianHoursToTransfer',
    'p95HoursToTransfer',
  ],
  sources: [
    {
      citation: 'Florida Laws 2025 (Special Session C, SB 2-C): State Board of Immigration Enforcement',
      duty: 'The board collects data from agencies on their immigration enforcement and reports on it.',
      uncertain:
        'The figures and reporting schedule the board prescribes were not verified; reportFields is our selection, to be confirmed with the board.',
    },
  ],
} satisfies JurisdictionProfileInput;
