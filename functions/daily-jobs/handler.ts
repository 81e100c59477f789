import { noUsagePlanKeys } from '../../shared/auth/usage-plan-keys.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { handlerLoadedOnFirstEvent } from '../../shared/runtime/on-first-use.ts';
import { noDeliveries, noHoldTimers, noWebhookSecrets } from '../../shared/runtime/unused-ports.ts';

const env = readEnvironment('dailyJobs');
const deps = {
  ...functionBaseDeps(env, 'wso-daily-jobs'),
  // Notices go through the outbox (the stream function delivers them): no queue, timer or secret here.
  timers: noHoldTimers('daily-jobs'),
  deliveries: noDeliveries('daily-jobs'),
  usagePlanKeys: noUsagePlanKeys,
  webhookSecrets: noWebhookSecrets('daily-jobs'),
};

/**
 * Lambda entry: run once a day by an EventBridge Scheduler schedule (infra/constructs/daily-jobs.ts).
 * A job that failed fails the invocation (after every other job has run), for the errors alarm.
 */
export const handler = handlerLoadedOnFirstEvent(async () => {
  const run = (await import('./app.ts')).createDailyJobs(deps);
  return async () => {
    const result = await run();
    if (result.failed.length > 0) throw new Error(`daily jobs failed: ${result.failed.join(', ')}`);
    return result;
  };
});
