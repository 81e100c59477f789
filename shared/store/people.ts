import { createHash } from 'node:crypto';
import type { KeyScope } from '../auth/principal.ts';
import type { Identity, Person } from '../people/people.ts';
import { ownerPk } from './api-keys.ts';
import { type ItemKey, readItem, readItems } from './batch-read.ts';
import type { Db } from './db.ts';
import { prefixQuery, queryAll } from './pagination.ts';
import { deleteExisting, type Intent, intent, putNew } from './unit-of-work.ts';

/**
 * The two items of a person who may sign in to the pages (shared/people/people.ts), written and
 * deleted together: `IDENTITY#<hash>` (found by identity at sign-in, scope unknown) and
 * `<owner pk> / PERSON#<personId>` (the owner's list, checked by every session on every request).
 * The pointer is the audited entity (kind `signin` on a county's chain).
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

/**
 * A person's writes, as intents of the caller's unit of work. Mapping puts both items, each only
 * if new (an identity maps to one person); removing deletes both, the identity item only while it
 * is still this person's (once the pointer is gone, it may be mapped anew).
 */
export const personIntents = {
  /** The identity item: this identity is not mapped yet. */
  claimIdentity: (table: string, person: Person): Intent =>
    putNew('people', 'identity-unmapped', table, {
      ...personKeys.byIdentity(person.identity),
      entity: 'Identity',
      ...person,
    }),

  /** The owner's pointer: the (new, generated) person id is free. */
  store: (table: string, person: Person): Intent =>
    putNew('people', 'person-absent', table, {
      ...personKeys.pointer(person.scope, person.personId),
      entity: 'Person',
      ...person,
    }),

  /** The owner's pointer goes: it still exists (of two removals racing, one removes it). */
  remove: (table: string, person: Person): Intent =>
    deleteExisting('people', 'person-exists', table, personKeys.pointer(person.scope, person.personId)),

  /** The identity item goes, unless it is gone or already another person's. */
  releaseIdentity: (table: string, person: Person): Intent =>
    intent(
      'people',
      'identity-not-remapped',
      {
        Delete: {
          TableName: table,
          Key: personKeys.byIdentity(person.identity),
          ConditionExpression: 'attribute_not_exists(pk) OR personId = :id',
          ExpressionAttributeValues: { ':id': person.personId },
        },
      },
      { holds: (current) => current === undefined || current.personId === person.personId },
    ),
};

/** The owner's person items, oldest first. */
export const readPeopleItems = (db: Db, scope: KeyScope) =>
  queryAll(db, prefixQuery(ownerPk(scope), 'PERSON#'));

export const readPersonItem = (db: Db, scope: KeyScope, personId: string) =>
  readItem(db, personKeys.pointer(scope, personId), { consistent: true });

/** Identity items by identity, in one strongly consistent BatchGetItem. */
export const readIdentityItems = (db: Db, bySubject: Identity, byEmail: Identity | undefined) =>
  readItems(db, {
    subject: personKeys.byIdentity(bySubject),
    email: byEmail ? personKeys.byIdentity(byEmail) : undefined,
  });
