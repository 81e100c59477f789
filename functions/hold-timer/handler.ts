import { noUsagePlanKeys } from '../../shared/auth/usage-plan-keys.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { handlerLoadedOnFirstEvent } from '../../shared/runtime/on-first-use.ts';
import { schedulerTimersOnFirstUse } from '../../shared/runtime/scheduler-timers.ts';
import { noDeliveries, noWebhookSecrets } from '../../shared/runtime/unused-ports.ts';

const env = readEnvironment('holdTimer');
const deps = {
  ...functionBaseDeps(env, 'wso-hold-timer'),
  // Re-arms the hold's next step; nothing here enqueues webhooks or manages API keys.
  timers: schedulerTimersOnFirstUse(env),
  deliveries: noDeliveries('hold-timer'),
  usagePlanKeys: noUsagePlanKeys,
  webhookSecrets: noWebhookSecrets('hold-timer'),
};

/** Lambda entry: invoked (asynchronously) by EventBridge Scheduler with a hold's timer payload. */
export const handler = handlerLoadedOnFirstEvent(async () =>
  (await import('./app.ts')).createHoldTimerHandler(deps),
);
