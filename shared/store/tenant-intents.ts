import type { Tenant } from '../schemas/tenant.ts';
import { keys, stateTenantsGsi } from './keys.ts';
import { lifecycleKeys } from './lifecycle-index.ts';
import { checkExists, type Intent, intent, putNew } from './unit-of-work.ts';

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
    putNew('tenants', 'tenant-absent', table, profileItem(tenant)),

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
    checkExists('tenants', 'tenant-exists', table, keys.tenantProfile(tenantId)),
};
