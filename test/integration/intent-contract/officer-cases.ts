import { officerIntents } from '../../../shared/store/officer-intents.ts';
import {
  absent,
  type Case,
  FACILITY,
  OFFICER,
  on,
  putItemOf,
  SERVED_AT,
  SERVICE_DATE,
  TABLE,
  without,
} from './fixtures.ts';

const DAY_BEFORE = '2026-11-23';
const JUST_AFTER_MIDNIGHT = new Date(`${SERVICE_DATE}T00:00:00Z`);

/** officerIntents (shared/store/officer-intents.ts): one entry per factory. */
const nominee = {
  officerId: OFFICER,
  name: 'Officer Two',
  badgeNumber: '5678',
  facilityIds: [FACILITY],
  status: 'NOMINATED' as const,
  createdAt: '2026-11-24T03:00:00Z',
  updatedAt: '2026-11-24T03:00:00Z',
  version: 1,
};
const CHANGED_AT = '2026-11-24T05:00:00Z';

export const officerCases = {
  // 'attribute_not_exists(pk)'
  nominate: on(
    (t) => officerIntents.nominate(TABLE, t, nominee),
    [
      ['absent officer', absent, 'accepted'],
      ['officer id taken', (s) => s.officer, 'refused'],
      [
        'taken by the same nominee',
        (_s, t) => putItemOf(officerIntents.nominate(TABLE, t, nominee)),
        'refused',
      ],
    ],
  ),
  // 'attribute_exists(pk)'
  mustExist: on(
    (t) => officerIntents.mustExist(TABLE, t, OFFICER),
    [
      ['absent officer', absent, 'refused'],
      ['on the roster', (s) => s.officer, 'accepted'],
    ],
  ),
  changeStatus: [
    // 'version = :expected' (a suspension: the credential stays, suspension set)
    ...on(
      (t) =>
        officerIntents.changeStatus(TABLE, t, OFFICER, 2, {
          status: 'SUSPENDED',
          updatedAt: CHANGED_AT,
          version: 3,
          credential: {
            backgroundCheckPassedOn: '2026-10-01',
            trainedOn: '2026-10-15',
            credentialNumber: 'WSO-0001',
            expiresOn: '2027-10-15',
            credentialedAt: '2026-11-24T03:00:00Z',
          },
          credentialExpiresOn: '2027-10-15',
          suspension: { reason: 'review', suspendedAt: CHANGED_AT },
        }),
      [
        ['absent officer', absent, 'refused'],
        ['at the version read', (s) => s.officer, 'accepted'],
        ['moved to another version', (s) => ({ ...s.officer, version: 3 }), 'refused'],
        ['without version', (s) => without(s.officer, 'version'), 'refused'],
      ],
    ),
    // A credential lifts a suspension: the undefined field is removed.
    ...on(
      (t) =>
        officerIntents.changeStatus(TABLE, t, OFFICER, 3, {
          status: 'CREDENTIALED',
          updatedAt: CHANGED_AT,
          version: 4,
          credentialExpiresOn: '2028-10-15',
          suspension: undefined,
        }),
      [
        [
          'suspended at the version read',
          (s) => ({
            ...s.officer,
            status: 'SUSPENDED',
            version: 3,
            suspension: { reason: 'x', suspendedAt: CHANGED_AT },
          }),
          'accepted',
        ],
      ],
    ),
  ],
  // '#status = :credentialed AND credentialExpiresOn >= :serviceDate AND contains(facilityIds, :facilityId)'
  assertCanServe: [
    ...on(
      (t) => officerIntents.assertCanServe(TABLE, t, OFFICER, SERVED_AT, FACILITY),
      [
        ['absent officer', absent, 'refused'],
        ['credentialed, valid, assigned', (s) => s.officer, 'accepted'],
        ['nominated', (s) => ({ ...s.officer, status: 'NOMINATED' }), 'refused'],
        ['suspended', (s) => ({ ...s.officer, status: 'SUSPENDED' }), 'refused'],
        ['without status', (s) => without(s.officer, 'status'), 'refused'],
        [
          'credential expires on the service date (>=)',
          (s) => ({ ...s.officer, credentialExpiresOn: SERVICE_DATE }),
          'accepted',
        ],
        [
          'credential expired the day before',
          (s) => ({ ...s.officer, credentialExpiresOn: DAY_BEFORE }),
          'refused',
        ],
        ['without credentialExpiresOn', (s) => without(s.officer, 'credentialExpiresOn'), 'refused'],
        ['not assigned to the facility', (s) => ({ ...s.officer, facilityIds: ['annex'] }), 'refused'],
        [
          'assigned to a facility whose id contains it',
          (s) => ({ ...s.officer, facilityIds: [`${FACILITY}-2`] }),
          'refused',
        ],
        [
          'assigned among several facilities',
          (s) => ({ ...s.officer, facilityIds: ['annex', FACILITY] }),
          'accepted',
        ],
        ['without facilityIds', (s) => without(s.officer, 'facilityIds'), 'refused'],
      ],
    ),
    ...on(
      (t) => officerIntents.assertCanServe(TABLE, t, OFFICER, JUST_AFTER_MIDNIGHT, FACILITY),
      [
        [
          'served at 00:00Z on the expiry date',
          (s) => ({ ...s.officer, credentialExpiresOn: SERVICE_DATE }),
          'accepted',
        ],
        [
          'served at 00:00Z the day after expiry',
          (s) => ({ ...s.officer, credentialExpiresOn: DAY_BEFORE }),
          'refused',
        ],
      ],
    ),
  ],
} satisfies Record<keyof typeof officerIntents, Case[]>;
