import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { KeyScope } from '../auth/principal.ts';
import { ownerPk } from './api-keys.ts';
import { type ItemKey, readItems } from './batch-read.ts';
import type { Db } from './db.ts';
import { isConditionFailure } from './errors.ts';
import { TTL_ATTRIBUTE } from './table-definition.ts';

/**
 * Items of the pages' sign-in: a session (`SESSION#<sha256 of its secret>` in the person's own
 * partition, so a county's sessions are county data) and a pending sign-in (`SIGNIN#<sha256 of
 * the OIDC state>`), taken once. The table holds only hashes of the secrets. TTL is garbage
 * collection only: shared/sessions checks the limits on every request.
 */
const sha256 = (secret: string) => createHash('sha256').update(secret).digest('hex');

export const sessionKey = (scope: KeyScope, secret: string): ItemKey => ({
  pk: ownerPk(scope),
  sk: `SESSION#${sha256(secret)}`,
});

const pendingSignInKey = (state: string): ItemKey => ({ pk: `SIGNIN#${sha256(state)}`, sk: 'SIGNIN' });

/** A new session; never overwrites one (the secret is random). */
export async function putSession(
  db: Db,
  key: ItemKey,
  session: Record<string, unknown>,
  collectAfterSeconds: number,
): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: { ...key, entity: 'Session', ...session, [TTL_ATTRIBUTE]: collectAfterSeconds },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** The session and the person's mapping, in one strongly consistent BatchGetItem. */
export const readSessionAndPerson = (db: Db, session: ItemKey, person: ItemKey) =>
  readItems(db, { session, person });

export async function deleteSession(db: Db, key: ItemKey): Promise<void> {
  await db.doc.send(new DeleteCommand({ TableName: db.tableName, Key: key }));
}

/** Records activity; never moves backwards, never recreates a session ended meanwhile. */
export async function touchSession(db: Db, key: ItemKey, now: string): Promise<void> {
  try {
    await db.doc.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: key,
        UpdateExpression: 'SET lastSeenAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND lastSeenAt < :now',
        ExpressionAttributeValues: { ':now': now },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export async function putPendingSignIn(
  db: Db,
  state: string,
  pending: Record<string, unknown>,
  collectAfterSeconds: number,
): Promise<void> {
  await db.doc.send(
    new PutCommand({
      TableName: db.tableName,
      Item: {
        ...pendingSignInKey(state),
        entity: 'PendingSignIn',
        ...pending,
        [TTL_ATTRIBUTE]: collectAfterSeconds,
      },
    }),
  );
}

/** Takes a pending sign-in: deletes it and answers what it held, so it can be used once only. */
export async function takePendingSignIn(db: Db, state: string): Promise<Record<string, unknown> | undefined> {
  const { Attributes } = await db.doc.send(
    new DeleteCommand({ TableName: db.tableName, Key: pendingSignInKey(state), ReturnValues: 'ALL_OLD' }),
  );
  return Attributes;
}
