import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayUsagePlanKeys } from '../../shared/auth/apigateway-usage-plan-keys.ts';
import { depsFromEnvironment } from '../../shared/runtime/aws-deps.ts';
import { tenantDbFromEnvironment } from '../../shared/runtime/tenant-db.ts';
import { createApi } from './app.ts';

const deps = depsFromEnvironment('wso-api');

/** Lambda entry: API Gateway REST proxy events for every /v1 route; tenant keys use tenant-scoped credentials. */
export const handler = createApi({
  ...deps,
  tenantDb: tenantDbFromEnvironment(deps.db),
  // Key issuance and revocation keep the usage plan's per-key API Gateway keys in step (issue 7).
  usagePlanKeys: new ApiGatewayUsagePlanKeys(() => new APIGatewayClient({}), process.env.USAGE_PLAN_ID),
});
