import { depsFromEnvironment } from '../../shared/runtime/aws-deps.ts';
import { tenantDbFromEnvironment } from '../../shared/runtime/tenant-db.ts';
import { createTenantApi } from './app.ts';

const deps = depsFromEnvironment('wso-api');

/**
 * Lambda entry: API Gateway REST proxy events for every tenant-facing /v1 route; tenant keys use
 * tenant-scoped credentials. Platform, oversight and key routes run in functions/admin-api (issue 19).
 */
export const handler = createTenantApi({ ...deps, tenantDb: tenantDbFromEnvironment(deps.db) });
