import { tenantKeys } from './keys.ts';
import { type Intent, intent } from './unit-of-work.ts';

/** Checks on a facility inside another change's transaction (facilities are never deleted). */
export const facilityIntents = {
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
