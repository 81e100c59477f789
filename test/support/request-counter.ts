import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';

/**
 * Counts the AWS requests a client sends, by operation, with SDK middleware (nothing is mocked).
 * Requests on API-key items (authentication of the caller) are counted apart.
 */
export class RequestCounter {
  counts: Record<string, number> = {};
  private active = false;

  attach(client: DynamoDBDocumentClient | SchedulerClient, name: string): void {
    const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
      if (this.active) {
        const input = args.input as { Key?: { pk?: unknown } };
        const isAuth = typeof input.Key?.pk === 'string' && input.Key.pk.startsWith('APIKEY#');
        const operation = `${isAuth ? 'auth:' : ''}${context.commandName?.replace(/Command$/, '')}`;
        this.counts[operation] = (this.counts[operation] ?? 0) + 1;
      }
      return next(args);
    };
    (client.middlewareStack as { add(m: InitializeMiddleware<object, object>, o: object): void }).add(
      middleware,
      {
        step: 'initialize',
        name: `requestCounter-${name}`,
      },
    );
  }

  async measure(work: () => Promise<unknown>): Promise<Record<string, number>> {
    this.counts = {};
    this.active = true;
    try {
      await work();
    } finally {
      this.active = false;
    }
    return this.counts;
  }
}
