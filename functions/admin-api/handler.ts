import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { AppDeps } from '../../shared/app-deps.ts';
import { awsAuditPortsOnFirstUse } from '../../shared/audit/aws-ports.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { handlerLoadedOnFirstEvent } from '../../shared/runtime/on-first-use.ts';
import { schedulerTimersOnFirstUse } from '../../shared/runtime/scheduler-timers.ts';
import { sqsDeliveriesOnFirstUse } from '../../shared/runtime/sqs-deliveries.ts';
import { stsTenantDb } from '../../shared/runtime/tenant-db.ts';
import { noWebhookSecrets } from '../../shared/runtime/unused-ports.ts';
import { apiGatewayUsagePlanKeysOnFirstUse } from '../../shared/runtime/usage-plan-keys.ts';
import { signInFromEnvironment } from '../../shared/sessions/sign-in.ts';

const env = readEnvironment('adminApi');
const base = functionBaseDeps(env, 'wso-admin-api');
const deps: AppDeps = {
  ...base,
  // A county admin's request here still runs pinned to its tenant (STS), except key issuance and
  // revocation, which write the `APIKEY#<hash>` items only this function's role may write.
  tenantDb: stsTenantDb(env.TENANT_DATA_ROLE_ARN, base.db),
  // No admin route arms a timer or enqueues a delivery; the ports are there, never loaded.
  timers: schedulerTimersOnFirstUse(env),
  deliveries: sqsDeliveriesOnFirstUse(env.WEBHOOK_QUEUE_URL),
  usagePlanKeys: apiGatewayUsagePlanKeysOnFirstUse(env.USAGE_PLAN_ID, base.config.stage),
  // Webhook routes are county-admin routes, served by the tenant-facing function only.
  webhookSecrets: noWebhookSecrets('admin-api'),
  // Audit routes (verify, checkpoints, public key): KMS and S3 loaded by the first audit request.
  audit: awsAuditPortsOnFirstUse(env.AUDIT_KEY_ID, env.AUDIT_BUCKET),
  // Sign-in, its callback, sign-out and the dashboard run here (issue 18).
  ...optionalSignIn(),
};

function optionalSignIn(): Pick<AppDeps, 'signIn'> {
  const signIn = signInFromEnvironment(env);
  return signIn ? { signIn } : {};
}

/**
 * Lambda entry of the admin API function (issue 19): platform-admin, state-oversight and API-key
 * routes (functions/api/split.ts), the same handlers as the tenant-facing API function.
 */
export const handler: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> =
  handlerLoadedOnFirstEvent(async () => (await import('../api/app.ts')).createAdminApi(deps));
