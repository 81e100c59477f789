import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayUsagePlanKeys, usagePlanKeyTags } from '../../shared/auth/apigateway-usage-plan-keys.ts';
import { depsFromEnvironment } from '../../shared/runtime/aws-deps.ts';
import { tenantDbFromEnvironment } from '../../shared/runtime/tenant-db.ts';
import { createAdminApi } from '../api/app.ts';

const deps = depsFromEnvironment('wso-admin-api');

/**
 * Lambda entry of the admin function (issue 19): platform-admin, state-oversight and API-key routes
 * (functions/api/split.ts), the same handlers as the tenant-facing API function. A county admin's
 * request here still runs pinned to its tenant, except key issuance and revocation, which write the
 * `APIKEY#<hash>` items only this function's role may write.
 */
export const handler = createAdminApi({
  ...deps,
  tenantDb: tenantDbFromEnvironment(deps.db),
  // Key issuance and revocation keep the usage plan's per-key API Gateway keys in step (issue 7).
  // Tagged with the application and stage: the role may create and delete no other keys (issue 19).
  usagePlanKeys: new ApiGatewayUsagePlanKeys(
    () => new APIGatewayClient({}),
    process.env.USAGE_PLAN_ID,
    usagePlanKeyTags(deps.config.stage),
  ),
});
