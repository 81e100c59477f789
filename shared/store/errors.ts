import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/**
 * Which items of a cancelled TransactWriteItems failed their condition (indexes into the request).
 * Empty when the transaction failed for another reason (conflict, throttling, validation).
 */
export function failedConditionIndexes(error: unknown): number[] {
  if (!(error instanceof TransactionCanceledException)) return [];
  return (error.CancellationReasons ?? []).flatMap((reason, index) =>
    reason.Code === 'ConditionalCheckFailed' ? [index] : [],
  );
}

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || failedConditionIndexes(error).length > 0;
