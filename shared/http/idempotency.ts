import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AppDeps } from '../app-deps.ts';
import { isConditionFailure } from '../store/errors.ts';
import { stableStringify } from '../util/stable-json.ts';
import { problems } from './problem.ts';
import type { HttpResult } from './route.ts';

/**
 * Idempotency-Key for creating POSTs, stored in the tenant's own partition (so IAM's LeadingKeys
 * pinning still holds). Powertools' idempotency utility was the first choice, but its persistence
 * layer puts every record under one static partition key, which breaks tenant-first keys.
 *
 * Records are scoped by owner partition, operation and credential: a key reused by another
 * credential never replays someone else's response.
 */
const RETENTION_MS = 24 * 3_600_000;
/** An in-progress record older than this is taken as abandoned (the Lambda timed out mid-request). */
const LOCK_MS = 60_000;

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,128}$/;

interface IdempotencyScope {
  ownerPk: string;
  operationId: string;
  keyId: string;
  idempotencyKey: string;
}

interface StoredRecord {
  status: 'IN_PROGRESS' | 'COMPLETED';
  requestHash: string;
  expiresAt: number;
  lockedUntil: number;
  response?: { status: number; body?: unknown; contentType?: string; headers?: Record<string, string> };
}

const recordKey = (scope: IdempotencyScope) => ({
  pk: scope.ownerPk,
  sk: `IDEMPOTENCY#${scope.operationId}#${scope.keyId}#${createHash('sha256').update(scope.idempotencyKey).digest('base64url')}`,
});

export const requestHash = (method: string, path: string, body: unknown): string =>
  createHash('sha256')
    .update(`${method} ${path}\n${stableStringify(body)}`)
    .digest('hex');

export async function runIdempotent(
  deps: AppDeps,
  scope: IdempotencyScope,
  hash: string,
  execute: () => Promise<HttpResult>,
): Promise<HttpResult> {
  const { db, clock } = deps;
  const key = recordKey(scope);
  const now = clock.now().getTime();
  try {
    await db.doc.send(
      new PutCommand({
        TableName: db.tableName,
        Item: {
          ...key,
          entity: 'Idempotency',
          status: 'IN_PROGRESS',
          requestHash: hash,
          // Epoch seconds: also the DynamoDB TTL attribute, for garbage collection only.
          expiresAt: Math.floor((now + RETENTION_MS) / 1000),
          lockedUntil: now + LOCK_MS,
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
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return replay(deps, key, hash);
  }

  let result: HttpResult;
  try {
    result = await execute();
  } catch (error) {
    // Nothing was created: free the key so the client's retry runs again.
    await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: key }));
    throw error;
  }
  await db.doc.send(
    new UpdateCommand({
      TableName: db.tableName,
      Key: key,
      UpdateExpression: 'SET #status = :completed, #response = :response',
      ExpressionAttributeNames: { '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: { ':completed': 'COMPLETED', ':response': result },
    }),
  );
  return result;
}

async function replay(deps: AppDeps, key: { pk: string; sk: string }, hash: string): Promise<HttpResult> {
  const { Item } = await deps.db.doc.send(
    new GetCommand({ TableName: deps.db.tableName, Key: key, ConsistentRead: true }),
  );
  const record = Item as StoredRecord | undefined;
  if (!record) throw problems.idempotencyInProgress();
  if (record.requestHash !== hash) throw problems.idempotencyKeyReused();
  if (record.status !== 'COMPLETED' || !record.response) throw problems.idempotencyInProgress();
  return {
    ...record.response,
    headers: { ...(record.response.headers ?? {}), 'idempotent-replayed': 'true' },
  };
}
