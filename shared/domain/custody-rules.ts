import type { RuleSlug } from '../errors/catalogue.ts';
/**
 * Date rules of county set-up and custody records (pure: the caller passes "now" from the clock).
 *
 * Calendar dates (credentials) are compared with the UTC date of the clock. Every US zone is behind
 * UTC, so "not in the future" is at most a few hours lenient and "not expired" at most a few hours
 * strict: the safe direction for an arrest authority.
 */
import { MINUTE_MS } from '../util/time.ts';

/** Reported instants may run ahead of our clock by this much (the vendor's clock drifts). */
export const CLOCK_SKEW_MS = 2 * MINUTE_MS;

/** The clock's calendar date, `YYYY-MM-DD` in UTC. */
export const utcDate = (now: Date): string => now.toISOString().slice(0, 10);

/** True when a reported instant lies beyond now plus the allowed skew. */
export const isInFuture = (instant: string, now: Date): boolean =>
  Date.parse(instant) > now.getTime() + CLOCK_SKEW_MS;

export const OFFICER_STATUSES = ['NOMINATED', 'CREDENTIALED', 'SUSPENDED'] as const;
export type OfficerStatus = (typeof OFFICER_STATUSES)[number];

export interface CredentialDates {
  backgroundCheckPassedOn: string;
  trainedOn: string;
  expiresOn: string;
}

export interface RuleBreach {
  slug: RuleSlug;
  detail: string;
}

/**
 * The first credential rule the dates break, or undefined. ISO dates compare correctly as strings.
 * The background check and training happen before a credential is issued; the credential must
 * outlive the training and still be valid today.
 */
export function credentialBreach(dates: CredentialDates, now: Date): RuleBreach | undefined {
  const today = utcDate(now);
  if (dates.backgroundCheckPassedOn > today) {
    return { slug: 'background-check-in-future', detail: 'backgroundCheckPassedOn is after today.' };
  }
  if (dates.trainedOn > today) return { slug: 'training-in-future', detail: 'trainedOn is after today.' };
  if (dates.expiresOn <= dates.trainedOn) {
    return { slug: 'credential-expires-before-training', detail: 'expiresOn must be after trainedOn.' };
  }
  if (dates.expiresOn < today) return { slug: 'credential-expired', detail: 'expiresOn is already past.' };
  return undefined;
}

/** An officer may serve warrants only while credentialed and the credential runs through today. */
export const isCredentialActive = (
  status: OfficerStatus,
  credentialExpiresOn: string | undefined,
  now: Date,
): boolean =>
  status === 'CREDENTIALED' && credentialExpiresOn !== undefined && credentialExpiresOn >= utcDate(now);
