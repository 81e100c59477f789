import type { JurisdictionProfileInput } from '../profile-schema.ts';

/**
 * North Carolina.
 *
 * Source: HB 10 (2024, "Require Sheriffs to Cooperate with ICE", enacted over the governor's veto,
 * in force December 2024) rewrote G.S. 162-62: a person named in an ICE detainer and
 * administrative warrant is held for up to 48 hours and released at the EARLIEST of ICE taking
 * custody, 48 hours, or the detainer's rescission. Our state machine already ends a hold on each
 * of those (transfer, the WSO-48H deadline, warrant withdrawal → CANCELLED), so the profile adds
 * only what the machine does not: notice to ICE before the release, and the report figures.
 *
 * UNCERTAIN: the 120-minute lead is a configuration choice, not a number read from the statute.
 * We could not verify the notice provision's text or lead time (a later act, HB 318 of 2025, may
 * be where it lives). Counsel must confirm before a county relies on it; a county may set an
 * earlier notice itself (PATCH tenant releaseNoticeLeadMinutes), never a later one.
 */
export const NC_PROFILE = {
  jurisdiction: 'NC',
  profileVersion: 1,
  name: 'North Carolina: G.S. 162-62 (HB 10, 2024) hold and notice duties',
  preReleaseNoticeLeadMinutes: 120,
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
    'reviewsOpen',
    'reviewsClosed',
  ],
  sources: [
    {
      citation: 'N.C. Session Law 2024 (HB 10), amending G.S. 162-62',
      duty: 'Hold for up to 48 hours; release at the earliest of ICE custody, 48 hours, or rescission. Bill summaries add an annual report by jail administrators to a legislative committee.',
    },
    {
      citation: 'Pre-release notice to ICE (see the file comment)',
      duty: 'ICE is told of a pending release before it happens, so it can take custody within the limit.',
      uncertain:
        'Statutory text and lead time not verified; 120 minutes is a conservative default pending counsel review.',
    },
  ],
} satisfies JurisdictionProfileInput;
