import type { Facility } from '../schemas/facility.ts';
import { tenantKeys } from './keys.ts';
import { checkExists, type Intent, putNew } from './unit-of-work.ts';

/** A facility's writes, and checks on one inside another change's transaction (never deleted). */
export const facilityIntents = {
  /** Create: the facility id is free in this county. */
  create: (table: string, tenantId: string, facility: Facility): Intent =>
    putNew('facilities', 'facility-absent', table, {
      ...tenantKeys.facility(tenantId, facility.facilityId),
      type: 'Facility',
      tenantId,
      ...facility,
    }),

  /** An officer's facility, checked where the officer is nominated. */
  mustExist: (table: string, tenantId: string, facilityId: string): Intent =>
    checkExists('facilities', 'facility-exists', table, tenantKeys.facility(tenantId, facilityId)),
};
