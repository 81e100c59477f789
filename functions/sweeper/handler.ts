import { noUsagePlanKeys } from '../../shared/auth/usage-plan-keys.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { handlerLoadedOnFirstEvent } from '../../shared/runtime/on-first-use.ts';
import { schedulerTimersOnFirstUse } from '../../shared/runtime/scheduler-timers.ts';
import { noDeliveries, noWebhookSecrets } from '../../shared/runtime/unused-ports.ts';

const env = readEnvironment('sweeper');
const deps = {
  ...functionBaseDeps(env, 'wso-sweeper'),
  // The Scheduler is loaded only by a sweep that catches a hold (a lost or late timer).
  timers: schedulerTimersOnFirstUse(env),
  deliveries: noDeliveries('sweeper'),
  usagePlanKeys: noUsagePlanKeys,
  webhookSecrets: noWebhookSecrets('sweeper'),
};

/** Lambda entry: run every minute by a recurring schedule. */
export const handler = handlerLoadedOnFirstEvent(async () => (await import('./app.ts')).createSweeper(deps));
