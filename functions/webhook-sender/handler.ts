import { systemClock } from '../../shared/clock.ts';
import { dbOnFirstUse } from '../../shared/runtime/db-on-first-use.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { kmsSecretBoxOnFirstUse } from '../../shared/runtime/kms-secret-box.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { handlerLoadedOnFirstEvent, onFirstUse } from '../../shared/runtime/on-first-use.ts';
import type { SenderDeps } from '../../shared/webhooks/sender.ts';
import type { SenderQueueOps } from './app.ts';

const env = readEnvironment('webhookSender');

// Only what sending needs: no Scheduler, so the function needs no timer configuration or rights.
const deps: SenderDeps = {
  db: dbOnFirstUse(env.TABLE_NAME),
  clock: systemClock,
  logger: createLogger('wso-webhook-sender'),
  config: { stage: env.STAGE ?? 'dev', local: false },
  // KMS is loaded by the first delivery whose subscription holds a sealed secret.
  webhookSecrets: kmsSecretBoxOnFirstUse(env.WEBHOOK_SECRETS_KEY_ID),
};

// SQS is called only to delay a retry or dead-letter (the event source mapping deletes on
// success): its client and commands are loaded then (functions/webhook-sender/sqs-ops.ts).
const sqsOps = onFirstUse(async () => {
  const [{ SQSClient }, { sqsQueueOps }] = await Promise.all([
    import('@aws-sdk/client-sqs'),
    import('./sqs-ops.ts'),
  ]);
  return sqsQueueOps(new SQSClient({}), {
    queueUrl: env.WEBHOOK_QUEUE_URL,
    deadLetterQueueUrl: env.WEBHOOK_DLQ_URL,
  });
});
const ops: SenderQueueOps = {
  delay: async (receiptHandle, seconds) => (await sqsOps()).delay(receiptHandle, seconds),
  deadLetter: async (body, reason) => (await sqsOps()).deadLetter(body, reason),
};

/**
 * Lambda entry: the webhook delivery queue (SQS event source mapping, ReportBatchItemFailures). The
 * delivery settings are validated by the first batch, with the rest of the sending code.
 */
export const handler = handlerLoadedOnFirstEvent(async () => {
  const [
    { createWebhookSenderHandler },
    { nodeHttpTransport },
    { systemResolver },
    { processDelivery },
    settings,
  ] = await Promise.all([
    import('./app.ts'),
    import('../../shared/webhooks/http-transport.ts'),
    import('../../shared/webhooks/resolve-guard.ts'),
    import('../../shared/webhooks/sender.ts'),
    import('../../shared/webhooks/settings.ts').then((module) => module.webhookSettingsFromEnv(env)),
  ]);
  const transport = nodeHttpTransport({ resolver: systemResolver });
  return createWebhookSenderHandler(deps.logger, {
    process: (message) => processDelivery(deps, message, { settings, transport }),
    ops,
    settings,
  });
});
