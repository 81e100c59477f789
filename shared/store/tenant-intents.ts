import type { Tenant } from '../schemas/tenant.ts';
import { keys, stateTenantsGsi } from './keys.ts';
import { lifecycleKeys } from './lifecycle-index.ts';
import { type Intent, intent } from './unit-of-work.ts';

/** The tenant's profile item as stored: listed by state, and for the retention purge while it has a period. */
const profileItem = (tenant: Tenant) => ({
  ...keys.tenantProfile(tenant.tenantId),
  entity: 'Tenant',
  ...stateTenantsGsi(tenant.state, tenant.tenantId),
  ...(tenant.retention ? lifecycleKeys.retentionTenant(tenant.tenantId) : {}),
  ...tenant,
});

/** The tenant's own writes, and checks on it inside another change's transaction. */
export const tenantIntents = {
  /** Onboard: the tenant id is free. */
  create: (table: string, tenant: Tenant): Intent =>
    intent(
      'tenants',
      'tenant-absent',
      {
        Put: { TableName: table, Item: profileItem(tenant), ConditionExpression: 'attribute_not_exists(pk)' },
      },
      { holds: (current) => current === undefined },
    ),

  /** New settings, computed from the profile at `expectedVersion` (two admins never overwrite each other). */
  saveSettings: (table: string, tenant: Tenant, expectedVersion: number): Intent =>
    intent(
      'tenants',
      'tenant-version-unchanged',
      {
        Put: {
          TableName: table,
          Item: profileItem(tenant),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        },
      },
      { holds: (current) => current?.version === expectedVersion },
    ),

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
