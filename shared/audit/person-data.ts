import type { Booking } from '../schemas/booking.ts';
import { stateHash } from './hash-chain.ts';

/**
 * A booking's person data (the person and the charges) as one hash: what booking events keep
 * instead of the values (DESIGN.md §5), and what `verify` recomputes from the stored booking to
 * catch a direct edit of a name or a date of birth.
 */
export const personDataHash = (booking: Pick<Booking, 'person' | 'charges'>): string =>
  stateHash({ person: booking.person, charges: booking.charges ?? [] });
