import { noUsagePlanKeys } from '../../shared/auth/usage-plan-keys.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { handlerLoadedOnFirstEvent } from '../../shared/runtime/on-first-use.ts';
import { sqsDeliveriesOnFirstUse } from '../../shared/runtime/sqs-deliveries.ts';
import { noHoldTimers, noWebhookSecrets } from '../../shared/runtime/unused-ports.ts';

const env = readEnvironment('stream');
const deps = {
  ...functionBaseDeps(env, 'wso-stream'),
  // Outbox records become webhook deliveries; the stream never arms a timer (no Scheduler settings).
  deliveries: sqsDeliveriesOnFirstUse(env.WEBHOOK_QUEUE_URL),
  timers: noHoldTimers('stream'),
  usagePlanKeys: noUsagePlanKeys,
  webhookSecrets: noWebhookSecrets('stream'),
};

/** Lambda entry: the table's DynamoDB stream (event source mapping with ReportBatchItemFailures). */
export const handler = handlerLoadedOnFirstEvent(async () => {
  const [{ createStreamHandler }, { streamConsumers }] = await Promise.all([
    import('./app.ts'),
    import('./consumers.ts'),
  ]);
  return createStreamHandler(deps, streamConsumers);
});
