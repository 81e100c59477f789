import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { AppDeps } from '../../shared/app-deps.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { handlerLoadedOnFirstEvent } from '../../shared/runtime/on-first-use.ts';
import { schedulerTimersOnFirstUse } from '../../shared/runtime/scheduler-timers.ts';
import { sqsDeliveriesOnFirstUse } from '../../shared/runtime/sqs-deliveries.ts';
import { stsTenantDb } from '../../shared/runtime/tenant-db.ts';
import { apiGatewayUsagePlanKeysOnFirstUse } from '../../shared/runtime/usage-plan-keys.ts';

const env = readEnvironment('api');
const base = functionBaseDeps(env, 'wso-api');
const deps: AppDeps = {
  ...base,
  // Each client is loaded by the first request that needs it: STS by a tenant's first request,
  // the Scheduler by serve/transfer/release, SQS by redeliver, API Gateway by key issuance (issue 7).
  tenantDb: stsTenantDb(env.TENANT_DATA_ROLE_ARN, base.db),
  timers: schedulerTimersOnFirstUse(env),
  deliveries: sqsDeliveriesOnFirstUse(env.WEBHOOK_QUEUE_URL),
  usagePlanKeys: apiGatewayUsagePlanKeysOnFirstUse(env.USAGE_PLAN_ID),
};

/**
 * Lambda entry: API Gateway REST proxy events for every /v1 route; tenant keys use tenant-scoped
 * credentials. The route table (every route's zod schemas, the domain, the middy pipeline) is
 * loaded by the first request, not at module init; docs/PERFORMANCE.md measures both.
 */
export const handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> =
  handlerLoadedOnFirstEvent(async () => (await import('./app.ts')).createApi(deps));
