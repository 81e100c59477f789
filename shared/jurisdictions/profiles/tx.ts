import type { JurisdictionProfileInput } from '../profile-schema.ts';

/**
 * Texas.
 *
 * Source: Texas's 2025 law (89th Legislature, SB 8) requires the sheriff of every county that
 * operates a jail to request and enter into a 287(g) agreement with ICE (by December 2026). That
 * is a duty to join the program, not a duty about individual holds, so it changes no timer.
 *
 * No pre-release notice and no state report format that we could verify: the default figures.
 */
export const TX_PROFILE = {
  jurisdiction: 'TX',
  profileVersion: 1,
  name: 'Texas: 287(g) agreement required of jail-operating sheriffs',
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
      citation: 'Texas 89th Legislature (2025), SB 8: 287(g) agreements for sheriffs operating jails',
      duty: 'Each sheriff who operates (or contracts for) a county jail must request and enter into a 287(g) agreement with ICE.',
      uncertain:
        'Effective dates, exemptions and any reporting duty were not verified against the enrolled text.',
    },
  ],
} satisfies JurisdictionProfileInput;
