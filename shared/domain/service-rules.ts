import type { ConflictSlug, RuleSlug } from '../errors/catalogue.ts';
/**
 * The rules a warrant service must satisfy (DESIGN.md §3), as a pure check over what the store
 * holds. The serve transaction repeats the ones that can change under us as conditions, so a race
 * cannot slip past them; this check exists to name the broken rule precisely. A serve checks the
 * booking's rules before its transaction and leaves the officer's and the warrant's to it: only
 * after a refusal does it read them and run every rule, to name the one that broke.
 */
import type { HoldBasis } from './hold.ts';

export const SERVICE_CLOCK_SKEW_MS = 2 * 60_000;

export interface OfficerFacts {
  status: string;
  facilityIds: string[];
  credentialExpiresOn?: string;
}
export interface BookingFacts {
  status: string;
  facilityId: string;
  bookedAt: string;
  openHoldId?: string;
}
export interface WarrantFacts {
  status: string;
  bookingNumber: string;
}
export interface TenantFacts {
  igsa: boolean;
}

export interface ServiceRequest {
  bookingNumber: string;
  servedAt: Date;
  basis: HoldBasis;
}

export interface BrokenRule {
  status: 409 | 422;
  slug: ConflictSlug | RuleSlug;
  detail: string;
}

const broken = (slug: ConflictSlug | RuleSlug, detail: string, status: 409 | 422 = 422): BrokenRule => ({
  status,
  slug,
  detail,
});

/** The calendar date (UTC) of an instant: credential expiry is a date. */
export const utcDate = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * The rules on the booking and the time of service, which come first: what a serve can check
 * from the booking alone, before it reads the officer or the warrant.
 */
export function checkBookingRules(
  booking: BookingFacts | undefined,
  request: ServiceRequest,
  now: Date,
): BrokenRule | undefined {
  if (request.servedAt.getTime() > now.getTime() + SERVICE_CLOCK_SKEW_MS) {
    return broken('served-in-future', 'servedAt is in the future (more than 2 minutes of clock skew).');
  }
  if (!booking)
    return broken('booking-not-found', `Booking ${request.bookingNumber} is not in this county's jail.`);
  if (booking.status !== 'IN_CUSTODY')
    return broken('booking-released', 'The person on this booking was released.');
  if (booking.openHoldId) {
    return broken('open-hold-exists', `Booking already has open hold ${booking.openHoldId}.`, 409);
  }
  if (request.servedAt.toISOString() < new Date(booking.bookedAt).toISOString()) {
    return broken('served-before-booking', 'servedAt is before the person was booked.');
  }
  return undefined;
}

/** Every rule, in the order the first broken one is answered. */
export function checkServiceRules(
  facts: { tenant: TenantFacts; booking?: BookingFacts; officer?: OfficerFacts; warrant?: WarrantFacts },
  request: ServiceRequest,
  now: Date,
): BrokenRule | undefined {
  const { officer, warrant, tenant } = facts;
  const bookingRule = checkBookingRules(facts.booking, request, now);
  if (bookingRule) return bookingRule;
  const booking = facts.booking as BookingFacts;
  if (!officer) return broken('officer-not-found', 'The officer is not on this county\u2019s roster.');
  if (officer.status !== 'CREDENTIALED') {
    return broken('officer-not-credentialed', `The officer is ${officer.status}, not CREDENTIALED.`);
  }
  if (!officer.credentialExpiresOn || officer.credentialExpiresOn < utcDate(request.servedAt)) {
    return broken('officer-credential-expired', 'The officer\u2019s WSO credential had expired at servedAt.');
  }
  if (!officer.facilityIds.includes(booking.facilityId)) {
    return broken(
      'officer-not-assigned-to-facility',
      `The officer is not assigned to facility ${booking.facilityId}.`,
    );
  }
  if (!warrant) return broken('warrant-not-found', 'No such warrant was recorded for this county.');
  if (warrant.status === 'WITHDRAWN') return broken('warrant-withdrawn', 'The warrant was withdrawn.');
  if (warrant.status !== 'RECEIVED')
    return broken('warrant-already-served', 'The warrant was already served.');
  if (warrant.bookingNumber !== request.bookingNumber) {
    return broken('warrant-for-another-booking', `The warrant names booking ${warrant.bookingNumber}.`);
  }
  if (request.basis === 'IGSA' && !tenant.igsa) {
    return broken('no-igsa-agreement', 'An IGSA hold needs the county to have an IGSA (tenant agreements).');
  }
  return undefined;
}
