import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readItem } from './batch-read.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';

/**
 * Idempotency records, stored in the owner's own partition (so IAM's LeadingKeys pinning still
 * holds), scoped by operation and credential: a key reused by another credential never replays
 * someone else's response. The HTTP pipeline's use of them is shared/http/idempotency.ts.
 */
export interface IdempotencyScope {
  ownerPk: string;
  operationId: string;
  keyId: string;
  idempotencyKey: string;
}

export interface StoredResponse {
  status: number;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface IdempotencyRecord {
  status: 'IN_PROGRESS' | 'COMPLETED';
  requestHash: string;
  expiresAt: number;
  lockedUntil: number;
  response?: StoredResponse;
}

type RecordKey = { pk: string; sk: string };

const recordKey = (scope: IdempotencyScope): RecordKey => ({
  pk: scope.ownerPk,
  sk: `IDEMPOTENCY#${scope.operationId}#${scope.keyId}#${createHash('sha256').update(scope.idempotencyKey).digest('base64url')}`,
});

/**
 * Claims the key for a request: true if this request runs; false if a live record exists (another
 * request holds it, or completed it). An expired record, or an abandoned in-progress one whose
 * lock ran out (a Lambda timed out mid-request), is claimed over.
 */
export async function claimIdempotencyKey(
  db: Db,
  scope: IdempotencyScope,
  requestHash: string,
  now: number,
  retentionMs: number,
  lockMs: number,
): Promise<boolean> {
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...recordKey(scope),
          entity: 'Idempotency',
          status: 'IN_PROGRESS',
          requestHash,
          // Epoch seconds: also the DynamoDB TTL attribute, for garbage collection only.
          expiresAt: Math.floor((now + retentionMs) / 1000),
          lockedUntil: now + lockMs,
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#status = :inProgress AND lockedUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':nowSeconds': Math.floor(now / 1000),
          ':now': now,
          ':inProgress': 'IN_PROGRESS',
        },
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
}

/** Nothing was created: frees the key so the client's retry runs again. */
export async function releaseIdempotencyKey(db: Db, scope: IdempotencyScope): Promise<void> {
  await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: recordKey(scope) }));
}

export async function completeIdempotencyKey(
  db: Db,
  scope: IdempotencyScope,
  response: StoredResponse,
): Promise<void> {
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: recordKey(scope),
      UpdateExpression: 'SET #status = :completed, #response = :response',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: { ':completed': 'COMPLETED', ':response': response },
    }),
  );
}

export async function readIdempotencyRecord(
  db: Db,
  scope: IdempotencyScope,
): Promise<IdempotencyRecord | undefined> {
  const Item = await readItem(db, recordKey(scope), { consistent: true });
  return Item as IdempotencyRecord | undefined;
}
