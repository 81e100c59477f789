import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../functions/api/routes/index.ts';
import {
  adminRoutes,
  CROSS_TENANT_ROLES,
  servedByAdminFunction,
  tenantRoutes,
} from '../../functions/api/split.ts';

/** Issue 19 item 1: each route is served by exactly one of the two API functions, chosen by its metadata. */
describe('the split of the route table', () => {
  it('puts every route in exactly one of the two functions', () => {
    expect(adminRoutes.length + tenantRoutes.length).toBe(apiRoutes.length);
    const admin = new Set(adminRoutes);
    expect(tenantRoutes.some((route) => admin.has(route))).toBe(false);
  });

  it('serves every route a platform-admin or state-oversight key may call in the admin function', () => {
    for (const route of apiRoutes) {
      const crossTenant =
        route.access !== 'public' && route.access.some((r) => CROSS_TENANT_ROLES.includes(r));
      if (crossTenant) expect(servedByAdminFunction(route), route.operationId).toBe(true);
    }
  });

  it('serves key issuance and revocation (the APIKEY# writers) in the admin function', () => {
    const writers = apiRoutes.filter((route) => route.db === 'function-role');
    expect(writers.length).toBeGreaterThan(0);
    for (const route of writers) expect(adminRoutes, route.operationId).toContain(route);
  });

  it('keeps the public routes and every tenant-only route in the tenant-facing function', () => {
    for (const route of tenantRoutes) {
      expect(route.db, route.operationId).toBeUndefined();
      if (route.access !== 'public') {
        expect(
          route.access.some((r) => CROSS_TENANT_ROLES.includes(r)),
          route.operationId,
        ).toBe(false);
      }
    }
    expect(tenantRoutes.map((r) => r.path)).toContain('/v1/health');
  });
});
