import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { AppDeps } from '../../shared/app-deps.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { onFirstUse } from '../../shared/runtime/on-first-use.ts';
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
 * The route table (every route's zod schemas, the domain, the middy pipeline) is loaded by the
 * first request, not at module init: init is this shell. The first request pays for it instead;
 * docs/PERFORMANCE.md measures both.
 */
const api = onFirstUse(async () => (await import('./app.ts')).createApi(deps));

/** Lambda entry: API Gateway REST proxy events for every /v1 route; tenant keys use tenant-scoped credentials. */
export const handler = async (
  event: APIGatewayProxyEvent,
  context: Context,
): Promise<APIGatewayProxyResult> => (await api())(event, context);
