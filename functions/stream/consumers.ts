import { reportCountersConsumer } from '../../shared/reports/report-consumer.ts';
import { webhookOutboxConsumer } from '../../shared/webhooks/outbox-consumer.ts';
import type { StreamConsumer } from './app.ts';

/** Every consumer of the change stream, in the order they run. */
export const streamConsumers: readonly StreamConsumer[] = [webhookOutboxConsumer, reportCountersConsumer];
