import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { AppDeps } from '../../shared/app-deps.ts';
import { type ChangeRecord, toChangeRecord } from '../../shared/streams/change-record.ts';

/**
 * A consumer of the table's change stream. Stream delivery is at-least-once, so every consumer is
 * idempotent (dedupes on the record's or the outbox event's id).
 */
export interface StreamConsumer {
  name: string;
  handle(records: readonly ChangeRecord[], deps: AppDeps): Promise<void>;
}

/**
 * The stream function: DynamoDB Streams (via the Lambda event source mapping in AWS, via the local
 * poller locally) → every consumer in turn. A failing consumer fails the batch from its first
 * record (ReportBatchItemFailures), so the batch is retried; consumers that already ran dedupe.
 */
export function createStreamHandler(deps: AppDeps, consumers: readonly StreamConsumer[]) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records.flatMap((record) => {
      const change = toChangeRecord(record);
      return change ? [change] : [];
    });
    for (const consumer of consumers) {
      try {
        await consumer.handle(records, deps);
      } catch (error) {
        deps.logger.error('stream consumer failed; the batch will be retried', {
          consumer: consumer.name,
          error: error instanceof Error ? error.message : String(error),
        });
        const first = event.Records[0]?.dynamodb?.SequenceNumber;
        return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
      }
    }
    return { batchItemFailures: [] };
  };
}
