import { createHash } from 'node:crypto';
import type { AppDeps } from '../app-deps.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  type IdempotencyScope,
  readIdempotencyRecord,
  releaseIdempotencyKey,
} from '../store/idempotency-records.ts';
import { stableStringify } from '../util/stable-json.ts';
import { problems } from './problem.ts';
import type { HttpResult } from './route.ts';

/**
 * Idempotency-Key for creating POSTs (records: shared/store/idempotency-records.ts, in the
 * tenant's own partition). Powertools' idempotency utility was the first choice, but its
 * persistence layer puts every record under one static partition key, which breaks tenant-first keys.
 */
const RETENTION_MS = 24 * 3_600_000;
/** An in-progress record older than this is taken as abandoned (the Lambda timed out mid-request). */
const LOCK_MS = 60_000;

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7E]{1,128}$/;

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
  const now = clock.now().getTime();
  if (!(await claimIdempotencyKey(db, scope, hash, now, RETENTION_MS, LOCK_MS))) {
    return replay(deps, scope, hash);
  }
  let result: HttpResult;
  try {
    result = await execute();
  } catch (error) {
    await releaseIdempotencyKey(db, scope);
    throw error;
  }
  await completeIdempotencyKey(db, scope, result);
  return result;
}

async function replay(deps: AppDeps, scope: IdempotencyScope, hash: string): Promise<HttpResult> {
  const record = await readIdempotencyRecord(deps.db, scope);
  if (!record) throw problems.idempotencyInProgress();
  if (record.requestHash !== hash) throw problems.idempotencyKeyReused();
  if (record.status !== 'COMPLETED' || !record.response) throw problems.idempotencyInProgress();
  return {
    ...record.response,
    headers: { ...(record.response.headers ?? {}), 'idempotent-replayed': 'true' },
  };
}
