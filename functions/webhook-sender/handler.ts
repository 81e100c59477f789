import { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock } from '../../shared/clock.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { createDb } from '../../shared/store/db.ts';
import { nodeHttpTransport } from '../../shared/webhooks/http-transport.ts';
import { systemResolver } from '../../shared/webhooks/resolve-guard.ts';
import { processDelivery, type SenderDeps } from '../../shared/webhooks/sender.ts';
import { webhookSettingsFromEnv } from '../../shared/webhooks/settings.ts';
import { createWebhookSenderHandler } from './app.ts';
import { sqsQueueOps } from './sqs-ops.ts';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};

// Only what sending needs: no Scheduler, so the function needs no timer configuration or rights.
const deps: SenderDeps = {
  db: createDb({ tableName: required('TABLE_NAME') }),
  clock: systemClock,
  logger: createLogger('wso-webhook-sender'),
  config: { stage: process.env.STAGE ?? 'dev', local: false },
};
const settings = webhookSettingsFromEnv(process.env);
const transport = nodeHttpTransport({ resolver: systemResolver });

/** Lambda entry: the webhook delivery queue (SQS event source mapping, ReportBatchItemFailures). */
export const handler = createWebhookSenderHandler(deps.logger, {
  process: (message) => processDelivery(deps, message, { settings, transport }),
  ops: sqsQueueOps(new SQSClient({}), {
    queueUrl: required('WEBHOOK_QUEUE_URL'),
    deadLetterQueueUrl: required('WEBHOOK_DLQ_URL'),
  }),
  settings,
});
