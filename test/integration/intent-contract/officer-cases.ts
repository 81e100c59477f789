import { officerIntents } from '../../../shared/store/officer-intents.ts';
import {
  absent,
  type Case,
  FACILITY,
  OFFICER,
  on,
  SERVED_AT,
  SERVICE_DATE,
  TABLE,
  without,
} from './fixtures.ts';

const DAY_BEFORE = '2026-11-23';
const JUST_AFTER_MIDNIGHT = new Date(`${SERVICE_DATE}T00:00:00Z`);

/** officerIntents (shared/store/officer-intents.ts): one entry per factory. */
export const officerCases = {
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
