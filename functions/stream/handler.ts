import { noUsagePlanKeys } from '../../shared/auth/usage-plan-keys.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { sqsDeliveriesOnFirstUse } from '../../shared/runtime/sqs-deliveries.ts';
import { noHoldTimers } from '../../shared/runtime/unused-ports.ts';
import { createStreamHandler } from './app.ts';
import { streamConsumers } from './consumers.ts';

const env = readEnvironment('stream');

/** Lambda entry: the table's DynamoDB stream (event source mapping with ReportBatchItemFailures). */
export const handler = createStreamHandler(
  {
    ...functionBaseDeps(env, 'wso-stream'),
    // Outbox records become webhook deliveries; the stream never arms a timer (no Scheduler settings).
    deliveries: sqsDeliveriesOnFirstUse(env.WEBHOOK_QUEUE_URL),
    timers: noHoldTimers('stream'),
    usagePlanKeys: noUsagePlanKeys,
  },
  streamConsumers,
);
