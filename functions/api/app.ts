import type { AppDeps } from '../../shared/app-deps.ts';
import { type ApiHandler, createApiHandler } from '../../shared/http/api-handler.ts';
import { Router } from '../../shared/http/router.ts';
import { adminRoutes, tenantRoutes } from './split.ts';

/** The tenant-facing API function's handler (functions/api/handler.ts): every route but the admin ones. */
export const createTenantApi = (deps: AppDeps): ApiHandler => createApiHandler(deps, tenantRoutes);

/** The admin function's handler (functions/admin-api/handler.ts): platform, oversight and key routes. */
export const createAdminApi = (deps: AppDeps): ApiHandler => createApiHandler(deps, adminRoutes);

/**
 * Both handlers behind one entry, each request sent to the one that serves its route, as API Gateway
 * does in AWS (infra/constructs/api-routes.ts): the local runtime and the tests use it, so they run
 * the same two pipelines. A path only the admin routes know, with another method, goes there too
 * (405 as before); anything else unknown goes to the tenant handler (404).
 */
export function createApi(deps: AppDeps): ApiHandler {
  const tenant = createTenantApi(deps);
  const admin = createAdminApi(deps);
  const adminRouter = new Router(adminRoutes);
  const tenantRouter = new Router(tenantRoutes);
  return (event, context) => {
    const forAdmin = adminRouter.match(event.httpMethod, event.path).kind;
    const useAdmin =
      forAdmin === 'match' ||
      (forAdmin === 'method-not-allowed' &&
        tenantRouter.match(event.httpMethod, event.path).kind === 'not-found');
    return (useAdmin ? admin : tenant)(event, context);
  };
}
