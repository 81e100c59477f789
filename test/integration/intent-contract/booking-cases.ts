import { bookingIntents } from '../../../shared/store/booking-intents.ts';
import { personDataIntents } from '../../../shared/store/person-data.ts';
import { absent, BOOKING, type Case, FACILITY, holdFor, on, TABLE, without } from './fixtures.ts';

const UPSERT_AT = '2026-11-24T05:00:00Z';
/** The jail's fields of a PUT (agencyOri left out: the upsert removes it). */
const jailFields = {
  facilityId: FACILITY,
  bookedAt: '2026-11-23T20:00:00Z',
  agencyOri: undefined,
  person: { firstName: 'Ana', lastName: 'Doe-Smith', dateOfBirth: '1990-01-01' },
  charges: [],
  scheduledReleaseAt: undefined,
};
const upsert = (expectedVersion: number | undefined) => (t: string) =>
  bookingIntents.upsert(
    TABLE,
    t,
    BOOKING,
    jailFields,
    UPSERT_AT,
    (expectedVersion ?? 0) + 1,
    expectedVersion,
  );

const RELEASED_AT = '2026-11-25T01:00:00Z';
const theirHold = (t: string) => holdFor(t).holdId;

/** bookingIntents (shared/store/booking-intents.ts): one entry per factory. */
export const bookingCases = {
  // 'attribute_exists(pk)'
  mustExist: on(
    (t) => bookingIntents.mustExist(TABLE, t, BOOKING),
    [
      ['absent booking', absent, 'refused'],
      ['booking there', (s) => s.booking, 'accepted'],
    ],
  ),
  upsert: [
    // 'attribute_not_exists(pk)' (a new number)
    ...on(upsert(undefined), [
      ['new booking, absent', absent, 'accepted'],
      ['new booking, already there', (s) => s.booking, 'refused'],
    ]),
    // 'version = :expected AND #status <> :released'
    ...on(upsert(1), [
      ['absent booking', absent, 'refused'],
      ['in custody at the version read', (s) => s.booking, 'accepted'],
      ['with its open hold (kept)', (s) => ({ ...s.booking, openHoldId: '01OTHERHOLD' }), 'accepted'],
      ['moved to another version', (s) => ({ ...s.booking, version: 2 }), 'refused'],
      ['without version', (s) => without(s.booking, 'version'), 'refused'],
      ['released', (s) => ({ ...s.booking, status: 'RELEASED' }), 'refused'],
      ['without status (`<>` holds on a missing attribute)', (s) => without(s.booking, 'status'), 'accepted'],
    ]),
  ],

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

/** personDataIntents (shared/store/person-data.ts): one entry per factory. */
export const personDataCases = {
  // '#version = :expected AND attribute_not_exists(openHoldId)'
  remove: on(
    (t) =>
      personDataIntents.remove(TABLE, t, BOOKING, {
        remove: ['person', 'charges', 'agencyOri'],
        set: {
          sealed: { at: UPSERT_AT, reason: 'COURT_ORDER', orderReference: 'ORD-1' },
          updatedAt: UPSERT_AT,
        },
        expectedVersion: 1,
      }),
    [
      ['absent booking', absent, 'refused'],
      ['at the version read, no open hold', (s) => s.booking, 'accepted'],
      ['moved to another version', (s) => ({ ...s.booking, version: 2 }), 'refused'],
      ['without version', (s) => without(s.booking, 'version'), 'refused'],
      ['with an open hold', (s) => ({ ...s.booking, openHoldId: '01OTHERHOLD' }), 'refused'],
    ],
  ),
} satisfies Record<keyof typeof personDataIntents, Case[]>;
