import type { Role } from '../../shared/auth/principal.ts';
import type { AnyRoute } from '../../shared/http/route.ts';
import { apiRoutes } from './routes/index.ts';

/** Roles whose keys cross tenants by design: their routes run in the admin function (issue 19). */
export const CROSS_TENANT_ROLES: readonly Role[] = ['platform-admin', 'state-oversight'];

/**
 * Which function serves a route, read from the route table's own metadata (no list of paths to keep
 * in step): a route any cross-tenant role may call, or one that writes outside the caller's tenant
 * partition (`db: 'function-role'`, the API-key records `APIKEY#<hash>`), is served by the admin
 * function; everything else, public routes included, by the tenant-facing API function, whose role
 * reads nothing but key items and otherwise works through the tenant-pinned role.
 */
export function servedByAdminFunction(route: AnyRoute): boolean {
  if (route.db === 'function-role') return true;
  return route.access !== 'public' && route.access.some((role) => CROSS_TENANT_ROLES.includes(role));
}

export const adminRoutes: readonly AnyRoute[] = apiRoutes.filter(servedByAdminFunction);
export const tenantRoutes: readonly AnyRoute[] = apiRoutes.filter((route) => !servedByAdminFunction(route));
