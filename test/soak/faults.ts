import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FinalizeRequestMiddleware } from '@smithy/types';

/**
 * Makes a fraction of DynamoDB requests fail with ProvisionedThroughputExceededException, inside
 * the SDK's retry loop (a low-priority finalizeRequest middleware), exactly where a real throttle
 * surfaces: the SDK retries it, and when retries run out the caller sees it. Returns the undo.
 */
export function injectDynamoThrottling(
  doc: DynamoDBDocumentClient,
  fraction: number,
  random: () => number,
  onInjected: () => void,
): () => void {
  const name = 'soak-throttle-dynamodb';
  if (fraction <= 0) return () => undefined;
  const middleware: FinalizeRequestMiddleware<object, object> = (next) => async (args) => {
    if (random() < fraction) {
      onInjected();
      throw Object.assign(new Error('Throughput exceeds the current capacity (injected)'), {
        name: 'ProvisionedThroughputExceededException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return next(args);
  };
  (doc.middlewareStack as { add(m: FinalizeRequestMiddleware<object, object>, o: object): void }).add(
    middleware,
    {
      step: 'finalizeRequest',
      priority: 'low',
      name,
    },
  );
  return () => doc.middlewareStack.remove(name);
}
