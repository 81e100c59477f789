import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { AppDeps } from '../../shared/app-deps.ts';
import { noUsagePlanKeys } from '../../shared/auth/usage-plan-keys.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { kmsSecretBoxOnFirstUse } from '../../shared/runtime/kms-secret-box.ts';
import { handlerLoadedOnFirstEvent } from '../../shared/runtime/on-first-use.ts';
import { schedulerTimersOnFirstUse } from '../../shared/runtime/scheduler-timers.ts';
import { sqsDeliveriesOnFirstUse } from '../../shared/runtime/sqs-deliveries.ts';
import { stsTenantDb } from '../../shared/runtime/tenant-db.ts';
import { signInFromEnvironment } from '../../shared/sessions/sign-in.ts';

const env = readEnvironment('api');
const base = functionBaseDeps(env, 'wso-api');
const deps: AppDeps = {
  ...base,
  // Each client is loaded by the first request that needs it: STS by a tenant's first request,
  // the Scheduler by serve/transfer/release, SQS by redeliver.
  tenantDb: stsTenantDb(env.TENANT_DATA_ROLE_ARN, base.db),
  timers: schedulerTimersOnFirstUse(env),
  deliveries: sqsDeliveriesOnFirstUse(env.WEBHOOK_QUEUE_URL),
  // Key issuance and revocation run in the admin API function (issue 19, functions/api/split.ts).
  usagePlanKeys: noUsagePlanKeys,
  // KMS is loaded by the first webhook subscription created (the secret is sealed for its tenant).
  webhookSecrets: kmsSecretBoxOnFirstUse(env.WEBHOOK_SECRETS_KEY_ID),
  // People's sign-in to the pages through Cognito (issue 18); openid-client loads on the first sign-in.
  ...optionalSignIn(),
};

function optionalSignIn(): Pick<AppDeps, 'signIn'> {
  const signIn = signInFromEnvironment(env);
  return signIn ? { signIn } : {};
}

/**
 * Lambda entry: API Gateway REST proxy events for every tenant-facing /v1 route; tenant keys use
 * tenant-scoped credentials. Platform, oversight and key routes run in functions/admin-api (issue 19).
 * The route table (every route's zod schemas, the domain, the middy pipeline) is loaded by the first
 * request, not at module init; docs/PERFORMANCE.md measures both.
 */
export const handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> =
  handlerLoadedOnFirstEvent(async () => (await import('./app.ts')).createTenantApi(deps));
