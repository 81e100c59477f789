import { bookingIntents } from '../../../shared/store/booking-intents.ts';
import { absent, BOOKING, type Case, holdFor, on, TABLE, without } from './fixtures.ts';

const RELEASED_AT = '2026-11-25T01:00:00Z';
const theirHold = (t: string) => holdFor(t).holdId;

/** bookingIntents (shared/store/booking-intents.ts): one entry per factory. */
export const bookingCases = {
  // '#status = :inCustody AND facilityId = :facilityId AND attribute_not_exists(openHoldId)'
  claimForHold: on(
    (t) => bookingIntents.claimForHold(TABLE, holdFor(t)),
    [
      ['absent booking', absent, 'refused'],
      ['in custody, in the facility, no open hold', (s) => s.booking, 'accepted'],
      ['released', (s) => ({ ...s.booking, status: 'RELEASED' }), 'refused'],
      ['without status', (s) => without(s.booking, 'status'), 'refused'],
      ['in another facility', (s) => ({ ...s.booking, facilityId: 'annex' }), 'refused'],
      ['without facilityId', (s) => without(s.booking, 'facilityId'), 'refused'],
      ['with another open hold', (s) => ({ ...s.booking, openHoldId: '01OTHERHOLD' }), 'refused'],
      ['openHoldId stored as null', (s) => ({ ...s.booking, openHoldId: null }), 'refused'],
    ],
  ),
  // 'attribute_exists(pk)'
  closeForHold: [
    ...on(
      (t) => bookingIntents.closeForHold(TABLE, holdFor(t), RELEASED_AT, 'RELEASED'),
      [
        ['absent booking', absent, 'refused'],
        ['released with its open hold', (s, t) => ({ ...s.booking, openHoldId: theirHold(t) }), 'accepted'],
        ['released without openHoldId', (s) => s.booking, 'accepted'],
      ],
    ),
    ...on(
      (t) => bookingIntents.closeForHold(TABLE, holdFor(t), RELEASED_AT, 'TRANSFERRED_TO_ICE'),
      [['to ICE with its open hold', (s, t) => ({ ...s.booking, openHoldId: theirHold(t) }), 'accepted']],
    ),
  ],
  // 'attribute_exists(pk)'
  freeFromHold: on(
    (t) => bookingIntents.freeFromHold(TABLE, holdFor(t)),
    [
      ['absent booking', absent, 'refused'],
      ['with its open hold', (s, t) => ({ ...s.booking, openHoldId: theirHold(t) }), 'accepted'],
      ['without openHoldId', (s) => s.booking, 'accepted'],
    ],
  ),
  // '#status = :inCustody AND attribute_not_exists(openHoldId)'
  release: on(
    (t) => bookingIntents.release(TABLE, t, BOOKING, RELEASED_AT),
    [
      ['absent booking', absent, 'refused'],
      ['in custody without hold', (s) => s.booking, 'accepted'],
      ['already released', (s) => ({ ...s.booking, status: 'RELEASED' }), 'refused'],
      ['without status', (s) => without(s.booking, 'status'), 'refused'],
      ['with an open hold', (s) => ({ ...s.booking, openHoldId: '01OTHERHOLD' }), 'refused'],
    ],
  ),
} satisfies Record<keyof typeof bookingIntents, Case[]>;
