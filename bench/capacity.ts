import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { RecordedCommand } from './recorder.ts';

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

export interface Units {
  read: number;
  write: number;
}

/**
 * Read and write units of one response's ConsumedCapacity (table plus indexes). Uses the
 * Read/WriteCapacityUnits split when DynamoDB gives one; otherwise the total counts as reads for
 * a read operation and as writes for any other.
 */
export function unitsOf(operation: string, capacity: readonly ConsumedCapacity[]): Units {
  let read = 0;
  let write = 0;
  for (const entry of capacity) {
    if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
      read += entry.ReadCapacityUnits ?? 0;
      write += entry.WriteCapacityUnits ?? 0;
    } else if (READ_OPERATIONS.has(operation.replace(/^auth:/, ''))) {
      read += entry.CapacityUnits ?? 0;
    } else {
      write += entry.CapacityUnits ?? 0;
    }
  }
  return { read, write };
}

export interface OperationProfile {
  /** Requests per operation by name (average over the samples). */
  requests: Record<string, number>;
  /** Units per operation, without the API-key look-up. */
  units: Units;
  /** Units of the API-key look-up per operation. */
  authUnits: Units;
  /** Index part of the units, per index name. */
  indexUnits: Record<string, number>;
}

/** Averages what several runs of the same operation sent. */
export function profile(samples: readonly RecordedCommand[][]): OperationProfile {
  const requests: Record<string, number> = {};
  const units: Units = { read: 0, write: 0 };
  const authUnits: Units = { read: 0, write: 0 };
  const indexUnits: Record<string, number> = {};
  const n = Math.max(1, samples.length);
  for (const commands of samples) {
    for (const command of commands) {
      requests[command.name] = (requests[command.name] ?? 0) + 1 / n;
      const measured = unitsOf(command.name, command.capacity);
      const target = command.name.startsWith('auth:') ? authUnits : units;
      target.read += measured.read / n;
      target.write += measured.write / n;
      for (const entry of command.capacity) {
        for (const [index, capacity] of Object.entries(entry.GlobalSecondaryIndexes ?? {})) {
          indexUnits[index] = (indexUnits[index] ?? 0) + (capacity.CapacityUnits ?? 0) / n;
        }
      }
    }
  }
  return { requests, units, authUnits, indexUnits };
}
