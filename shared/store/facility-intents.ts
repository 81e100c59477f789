import type { Facility } from '../schemas/facility.ts';
import { tenantKeys } from './keys.ts';
import { type Intent, intent } from './unit-of-work.ts';

/** A facility's writes, and checks on one inside another change's transaction (never deleted). */
export const facilityIntents = {
  /** Create: the facility id is free in this county. */
  create: (table: string, tenantId: string, facility: Facility): Intent =>
    intent(
      'facilities',
      'facility-absent',
      {
        Put: {
          TableName: table,
          Item: {
            ...tenantKeys.facility(tenantId, facility.facilityId),
            type: 'Facility',
            tenantId,
            ...facility,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { holds: (current) => current === undefined },
    ),

  /** An officer's facility, checked where the officer is nominated. */
  mustExist: (table: string, tenantId: string, facilityId: string): Intent =>
    intent(
      'facilities',
      'facility-exists',
      {
        ConditionCheck: {
          TableName: table,
          Key: tenantKeys.facility(tenantId, facilityId),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      { holds: (facility) => facility !== undefined },
    ),
};
