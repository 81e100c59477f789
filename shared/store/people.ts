import { createHash } from 'node:crypto';
import type { KeyScope } from '../auth/principal.ts';
import type { Identity, Person } from '../people/people.ts';
import { ownerPk } from './api-keys.ts';
import { type ItemKey, readItem, readItems } from './batch-read.ts';
import type { Db } from './db.ts';
import { failedConditionIndexes, isConditionFailure } from './errors.ts';
import { prefixQuery, queryAll } from './pagination.ts';
import { transactWrite } from './unit-of-work.ts';

/**
 * The two items of a person who may sign in to the pages (shared/people/people.ts), written and
 * deleted together: `IDENTITY#<hash>` (found by identity at sign-in, scope unknown) and
 * `<owner pk> / PERSON#<personId>` (the owner's list, checked by every session on every request).
 */

/** E-mail matching ignores case (local parts are case-insensitive in practice everywhere we meet them). */
const identityHash = (identity: Identity): string =>
  createHash('sha256')
    .update(
      identity.kind === 'email'
        ? `email\n${identity.email.toLowerCase()}`
        : `subject\n${identity.issuer}\n${identity.subject}`,
    )
    .digest('hex');

export const personKeys = {
  byIdentity: (identity: Identity): ItemKey => ({ pk: `IDENTITY#${identityHash(identity)}`, sk: 'IDENTITY' }),
  pointer: (scope: KeyScope, personId: string): ItemKey => ({ pk: ownerPk(scope), sk: `PERSON#${personId}` }),
};

/** Both items, new; `ownerCheck` (the owner's profile) must exist. */
export async function insertPerson(
  db: Db,
  person: Person,
  ownerCheck?: ItemKey,
): Promise<'ok' | 'no-owner' | 'identity-taken'> {
  const isNew = { ConditionExpression: 'attribute_not_exists(pk)' };
  try {
    await transactWrite(db, [
      {
        Put: {
          TableName: db.tableName,
          Item: { ...personKeys.byIdentity(person.identity), entity: 'Identity', ...person },
          ...isNew,
        },
      },
      {
        Put: {
          TableName: db.tableName,
          Item: { ...personKeys.pointer(person.scope, person.personId), entity: 'Person', ...person },
          ...isNew,
        },
      },
      ...(ownerCheck
        ? [
            {
              ConditionCheck: {
                TableName: db.tableName,
                Key: ownerCheck,
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ]
        : []),
    ]);
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return failedConditionIndexes(error).includes(2) ? 'no-owner' : 'identity-taken';
  }
  return 'ok';
}

/** The owner's person items, oldest first. */
export const readPeopleItems = (db: Db, scope: KeyScope) =>
  queryAll(db, prefixQuery(ownerPk(scope), 'PERSON#'));

export const readPersonItem = (db: Db, scope: KeyScope, personId: string) =>
  readItem(db, personKeys.pointer(scope, personId), { consistent: true });

/** Deletes both items; the identity item only while it is still this person's (it may be mapped anew). */
export async function deletePerson(db: Db, person: Person): Promise<void> {
  try {
    await transactWrite(db, [
      {
        Delete: {
          TableName: db.tableName,
          Key: personKeys.pointer(person.scope, person.personId),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      {
        Delete: {
          TableName: db.tableName,
          Key: personKeys.byIdentity(person.identity),
          ConditionExpression: 'attribute_not_exists(pk) OR personId = :id',
          ExpressionAttributeValues: { ':id': person.personId },
        },
      },
    ]);
  } catch (error) {
    // A concurrent removal won: the person is gone either way.
    if (!isConditionFailure(error)) throw error;
  }
}

/** Identity items by identity, in one strongly consistent BatchGetItem. */
export const readIdentityItems = (db: Db, bySubject: Identity, byEmail: Identity | undefined) =>
  readItems(db, {
    subject: personKeys.byIdentity(bySubject),
    email: byEmail ? personKeys.byIdentity(byEmail) : undefined,
  });
