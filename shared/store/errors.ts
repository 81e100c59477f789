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

/** Cancellation reasons that say "not now" rather than "not allowed": retrying later may succeed. */
const TRANSIENT_CANCELLATIONS = new Set([
  'None',
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

/** Errors a dependency answers when it is busy, whatever the call. */
const BUSY_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
]);

/** Socket-level failures on the way to a dependency (a busy or restarting endpoint). */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * True when a storage (or other AWS) call failed for a reason that is not the request's fault and
 * that nothing was decided on: throttling, contention, a transaction cancelled only by conflicts or
 * throttling, a server-side fault, a timeout or a dropped socket, all after the SDK's own retries.
 * API.md "Busy": the answer is 503 with Retry-After, never a 500. A transaction is all or nothing,
 * so none of these left a partial write.
 */
export function isTransientFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (BUSY_ERRORS.has(error.name) || error.name === 'TimeoutError') return true;
  if (error instanceof TransactionCanceledException) {
    const reasons = error.CancellationReasons ?? [];
    return reasons.every((reason) => TRANSIENT_CANCELLATIONS.has(reason.Code ?? 'None'));
  }
  const { $fault, code } = error as { $fault?: unknown; code?: unknown };
  return $fault === 'server' || (typeof code === 'string' && NETWORK_CODES.has(code));
}
