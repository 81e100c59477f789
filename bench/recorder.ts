import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';

/** One AWS request an operation sent, as the service built it (document-client input, not marshalled). */
export interface RecordedCommand {
  service: 'dynamodb' | 'scheduler';
  /** `TransactWriteItems`, `CreateSchedule`, …; `auth:GetItem` for the caller's API-key look-up. */
  name: string;
  input: Record<string, unknown>;
  capacity: ConsumedCapacity[];
}

/** DynamoDB operations that accept ReturnConsumedCapacity. */
const CAPACITY_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);

interface StackOwner {
  middlewareStack: unknown;
}

/**
 * Records the requests AWS clients send while `record` runs, with SDK middleware (nothing is mocked):
 * the input as the service built it, and for DynamoDB the consumed capacity, which it asks for with
 * `ReturnConsumedCapacity: INDEXES` when the service did not (the request is otherwise unchanged).
 * Outside `record` the middleware passes requests through untouched.
 */
export class CommandRecorder {
  private log: RecordedCommand[] | undefined;

  attach(client: StackOwner, service: RecordedCommand['service'], name: string): void {
    const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
      const log = this.log;
      if (!log) return next(args);
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      const key = input.Key as { pk?: unknown } | undefined;
      const isAuth = typeof key?.pk === 'string' && key.pk.startsWith('APIKEY#');
      const entry: RecordedCommand = {
        service,
        name: `${isAuth ? 'auth:' : ''}${operation}`,
        input: service === 'dynamodb' ? structuredClone(input) : {},
        capacity: [],
      };
      log.push(entry);
      const measured = service === 'dynamodb' && CAPACITY_OPERATIONS.has(operation);
      const sent =
        measured && input.ReturnConsumedCapacity === undefined
          ? { ...args, input: { ...input, ReturnConsumedCapacity: 'INDEXES' } }
          : args;
      const result = await next(sent);
      if (measured) {
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        if (consumed) entry.capacity = Array.isArray(consumed) ? consumed : [consumed];
      }
      return result;
    };
    (client.middlewareStack as { add(m: InitializeMiddleware<object, object>, o: object): void }).add(
      middleware,
      { step: 'initialize', name: `benchRecorder-${name}` },
    );
  }

  /** Runs `work` alone (nothing else may run meanwhile) and returns what it sent. */
  async record<T>(work: () => Promise<T>): Promise<{ result: T; commands: RecordedCommand[] }> {
    if (this.log) throw new Error('recordings cannot overlap');
    const log: RecordedCommand[] = [];
    this.log = log;
    try {
      const result = await work();
      return { result, commands: log };
    } finally {
      this.log = undefined;
    }
  }
}
