import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { byTenant, leavesFromStream, type SealerDeps, sealTenant } from '../../shared/audit/sealer.ts';

/**
 * The sealer function (DESIGN.md §5): the table's stream, filtered to newly inserted audit events
 * and batched for up to 30 s, sealed into one signed checkpoint per county per batch. A failure
 * retries the batch from its first record (at least once: an event may land in two checkpoints,
 * which verification accepts). Logs `sealLagSeconds` per checkpoint: how long its oldest event
 * waited, which the stack alarms on (with the stream's iterator age).
 */
export function createSealerHandler(deps: SealerDeps & { logger: Logger }) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const leaves = leavesFromStream(event.Records, deps.clock.now());
    for (const [tenantId, group] of byTenant(leaves)) {
      try {
        for (const checkpoint of await sealTenant(deps, tenantId, group)) {
          deps.logger.info('checkpoint sealed', {
            tenantId,
            seq: checkpoint.seq,
            eventCount: checkpoint.eventCount,
            sealLagSeconds: (Date.parse(checkpoint.sealedAt) - Date.parse(checkpoint.from)) / 1000,
          });
        }
      } catch (error) {
        deps.logger.error('sealing failed; the batch will be retried', {
          tenantId,
          error: error instanceof Error ? error.message : String(error),
        });
        const first = event.Records[0]?.dynamodb?.SequenceNumber;
        return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
      }
    }
    return { batchItemFailures: [] };
  };
}
