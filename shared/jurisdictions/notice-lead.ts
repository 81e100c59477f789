/**
 * The pre-release notice lead of a county: its state's, unless the county asks for notice earlier.
 * Notice is never later than the state's: a county's own lead below the state's is refused when
 * set, and ignored should the state's profile later rise above it (pure; no I/O).
 */
import type { JurisdictionProfile } from './profile-schema.ts';
import { profileFor } from './registry.ts';

export interface NoticeLeadBreach {
  slug: 'release-notice-later-than-state';
  detail: string;
}

/** A county lead shorter than its state's would notify ICE later than the law asks: refused. */
export function noticeLeadBreach(state: string, countyLeadMinutes: number): NoticeLeadBreach | undefined {
  const required = profileFor(state).preReleaseNoticeLeadMinutes;
  if (countyLeadMinutes >= required) return undefined;
  return {
    slug: 'release-notice-later-than-state',
    detail:
      `${state} requires notice to ICE ${required} minutes before a release is due; ` +
      `a county may give notice earlier (a larger releaseNoticeLeadMinutes), never later.`,
  };
}

/** The lead new holds of a county are served with (0: no notice step). */
export function effectiveNoticeLead(tenant: { state: string; releaseNoticeLeadMinutes?: number }): number {
  return Math.max(profileFor(tenant.state).preReleaseNoticeLeadMinutes, tenant.releaseNoticeLeadMinutes ?? 0);
}

/** What a tenant's settings come to under its profile: shown on the tenant. */
export interface JurisdictionSummary {
  profile: string;
  profileVersion: number;
  statePreReleaseNoticeLeadMinutes: number;
  effectiveReleaseNoticeLeadMinutes: number;
  reportFields: JurisdictionProfile['reportFields'];
}

export function jurisdictionSummary(tenant: {
  state: string;
  releaseNoticeLeadMinutes?: number;
}): JurisdictionSummary {
  const profile = profileFor(tenant.state);
  return {
    profile: profile.jurisdiction,
    profileVersion: profile.profileVersion,
    statePreReleaseNoticeLeadMinutes: profile.preReleaseNoticeLeadMinutes,
    effectiveReleaseNoticeLeadMinutes: effectiveNoticeLead(tenant),
    reportFields: profile.reportFields,
  };
}
