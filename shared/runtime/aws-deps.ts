import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AppDeps } from '../app-deps.ts';
import { noUsagePlanKeys } from '../auth/usage-plan-keys.ts';
import { systemClock } from '../clock.ts';
import { ulidGenerator } from '../ids.ts';
import { createDb } from '../store/db.ts';
import { EventBridgeHoldTimers, SCHEDULER_MAX_ATTEMPTS } from '../timers/eventbridge-hold-timers.ts';
import { SqsDeliveryQueue } from '../webhooks/sqs-delivery-queue.ts';
import { createLogger } from './logger.ts';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};

/** The adapters a Lambda uses in AWS: the real clock, the table named by the stack. */
export function depsFromEnvironment(serviceName: string): AppDeps {
  return {
    db: createDb({ tableName: required('TABLE_NAME') }),
    clock: systemClock,
    ids: ulidGenerator(systemClock),
    logger: createLogger(serviceName),
    config: { stage: process.env.STAGE ?? 'dev', local: false },
    timers: new EventBridgeHoldTimers(new SchedulerClient({ maxAttempts: SCHEDULER_MAX_ATTEMPTS }), {
      groupName: required('SCHEDULE_GROUP'),
      targetArn: required('HOLD_TIMER_ARN'),
      roleArn: required('SCHEDULER_ROLE_ARN'),
      ...(process.env.SCHEDULER_DLQ_ARN ? { deadLetterArn: process.env.SCHEDULER_DLQ_ARN } : {}),
    }),
    // Needed by the functions that enqueue (api: redeliver; stream: new deliveries); checked on use.
    deliveries: new SqsDeliveryQueue(() => new SQSClient({}), process.env.WEBHOOK_QUEUE_URL),
    // Only the API function issues and revokes keys; it sets the API Gateway adapter itself
    // (functions/api/handler.ts), so no other bundle carries the API Gateway client.
    usagePlanKeys: noUsagePlanKeys,
  };
}
