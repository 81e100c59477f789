import type { Tenant } from '../../../shared/schemas/tenant.ts';
import { facilityIntents } from '../../../shared/store/facility-intents.ts';
import { tenantIntents } from '../../../shared/store/tenant-intents.ts';
import { absent, type Case, FACILITY, NOW, on, putItemOf, TABLE, without } from './fixtures.ts';

const facility = { facilityId: FACILITY, name: 'Main Jail', createdAt: '2026-11-24T03:00:00Z' };

/** facilityIntents (shared/store/facility-intents.ts): one entry per factory. */
export const facilityCases = {
  // 'attribute_not_exists(pk)'
  create: on(
    (t) => facilityIntents.create(TABLE, t, facility),
    [
      ['absent facility', absent, 'accepted'],
      ['facility id taken', (_s, t) => putItemOf(facilityIntents.create(TABLE, t, facility)), 'refused'],
    ],
  ),
  // 'attribute_exists(pk)'
  mustExist: on(
    (t) => facilityIntents.mustExist(TABLE, t, FACILITY),
    [
      ['absent facility', absent, 'refused'],
      ['facility there', (_s, t) => putItemOf(facilityIntents.create(TABLE, t, facility)), 'accepted'],
    ],
  ),
} satisfies Record<keyof typeof facilityIntents, Case[]>;

const at = NOW.toISOString().replace('.000Z', 'Z');
const tenant = (t: string, version = 1, retention?: Tenant['retention']): Tenant => ({
  tenantId: t,
  countyFips: '12103',
  state: 'FL',
  name: 'Pinellas County',
  timeZone: 'America/New_York',
  agreements: { wsoMoaSignedOn: '2019-05-01', igsa: false, boa: true },
  releaseLeadMinutes: 60,
  contacts: [],
  createdAt: at,
  updatedAt: at,
  version,
  ...(retention ? { retention } : {}),
});
const stored = (t: string, version = 1) => putItemOf(tenantIntents.create(TABLE, tenant(t, version)));

/** tenantIntents (shared/store/tenant-intents.ts): one entry per factory. */
export const tenantCases = {
  // 'attribute_not_exists(pk)'
  create: on(
    (t) => tenantIntents.create(TABLE, tenant(t)),
    [
      ['absent tenant', absent, 'accepted'],
      ['tenant id taken', (_s, t) => stored(t), 'refused'],
    ],
  ),
  // 'version = :expected' (a Put of the whole profile)
  saveSettings: [
    ...on(
      (t) => tenantIntents.saveSettings(TABLE, tenant(t, 2), 1),
      [
        ['absent tenant', absent, 'refused'],
        ['at the version read', (_s, t) => stored(t, 1), 'accepted'],
        ['moved to another version', (_s, t) => stored(t, 2), 'refused'],
        ['without version', (_s, t) => without(stored(t, 1), 'version'), 'refused'],
      ],
    ),
    ...on(
      (t) => tenantIntents.saveSettings(TABLE, tenant(t, 2, { personDataDaysAfterRelease: 30 }), 1),
      [['a retention period lists it for the purge', (_s, t) => stored(t, 1), 'accepted']],
    ),
  ],
  // 'attribute_exists(pk)'
  mustExist: on(
    (t) => tenantIntents.mustExist(TABLE, t),
    [
      ['absent tenant', absent, 'refused'],
      ['onboarded', (_s, t) => stored(t), 'accepted'],
    ],
  ),
} satisfies Record<keyof typeof tenantIntents, Case[]>;
