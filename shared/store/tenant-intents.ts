import { keys } from './keys.ts';
import { type Intent, intent } from './unit-of-work.ts';

/** Checks on the tenant itself inside another change's transaction. */
export const tenantIntents = {
  /** The tenant (its profile item) exists: a county key is issued only for an onboarded county. */
  mustExist: (table: string, tenantId: string): Intent =>
    intent(
      'tenants',
      'tenant-exists',
      {
        ConditionCheck: {
          TableName: table,
          Key: keys.tenantProfile(tenantId),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      { holds: (tenant) => tenant !== undefined },
    ),
};
