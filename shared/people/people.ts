import { createHash } from 'node:crypto';
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ownerPk } from '../auth/api-keys.ts';
import type { KeyScope, Role } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { IdGenerator } from '../ids.ts';
import type { Db } from '../store/db.ts';
import { failedConditionIndexes, isConditionFailure } from '../store/errors.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { PersonView } from './schemas.ts';

/**
 * People: who may sign in to the HTML pages, and as what. A mapping ties one identity (the
 * identity provider's issuer and subject, or a verified e-mail address) to one role and one scope,
 * as an API key is scoped. Two items per person, written and deleted together:
 * - `IDENTITY#<hash>`: the sign-in callback finds the person by identity without knowing the scope;
 * - `<owner pk> / PERSON#<personId>`: the owner's list, and the item every session checks on every
 *   request, so deleting it ends that person's sessions at once.
 */

export type Identity =
  | { kind: 'subject'; issuer: string; subject: string }
  | { kind: 'email'; email: string };

export interface Person {
  personId: string;
  name: string;
  role: Role;
  scope: KeyScope;
  identity: Identity;
  createdAt: string;
  createdBy?: string;
}

export const identityOf = (body: { issuer: string; subject: string } | { email: string }): Identity =>
  'email' in body
    ? { kind: 'email', email: body.email }
    : { kind: 'subject', issuer: body.issuer, subject: body.subject };

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
  byIdentity: (identity: Identity) => ({ pk: `IDENTITY#${identityHash(identity)}`, sk: 'IDENTITY' }),
  pointer: (scope: KeyScope, personId: string) => ({ pk: ownerPk(scope), sk: `PERSON#${personId}` }),
};

export const personView = (person: Person): PersonView => ({
  personId: person.personId,
  name: person.name,
  role: person.role,
  ...(person.identity.kind === 'email'
    ? { email: person.identity.email }
    : { issuer: person.identity.issuer, subject: person.identity.subject }),
  createdAt: person.createdAt,
  ...(person.createdBy ? { createdBy: person.createdBy } : {}),
});

export type MapPersonResult =
  | { ok: true; person: Person }
  | { ok: false; reason: 'no-owner' | 'identity-taken' };

/**
 * Maps an identity to a role and scope. `ownerCheck` (the tenant's profile) must exist; an
 * identity maps to one person only (409 otherwise: remove the old mapping first).
 */
export async function mapPerson(
  deps: { db: Db; clock: Clock; ids: IdGenerator },
  request: { name: string; role: Role; scope: KeyScope; identity: Identity; createdBy?: string },
  ownerCheck?: { pk: string; sk: string },
): Promise<MapPersonResult> {
  const { db } = deps;
  const person: Person = {
    personId: deps.ids.next(),
    ...request,
    createdAt: toIsoSeconds(deps.clock.now()),
  };
  const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [
    {
      Put: {
        TableName: db.tableName,
        Item: { ...personKeys.byIdentity(person.identity), entity: 'Identity', ...person },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: db.tableName,
        Item: { ...personKeys.pointer(person.scope, person.personId), entity: 'Person', ...person },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  if (ownerCheck) {
    items.push({
      ConditionCheck: {
        TableName: db.tableName,
        Key: ownerCheck,
        ConditionExpression: 'attribute_exists(pk)',
      },
    });
  }
  try {
    await db.doc.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return { ok: false, reason: failedConditionIndexes(error).includes(2) ? 'no-owner' : 'identity-taken' };
  }
  return { ok: true, person };
}

/** The owner's people, oldest first (one Query of the owner's partition). */
export async function listPeople(db: Db, scope: KeyScope): Promise<Person[]> {
  const people: Person[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': ownerPk(scope), ':prefix': 'PERSON#' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) people.push(toPerson(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return people;
}

/** Removes the mapping; every session of the person fails its next check. False if unknown. */
export async function removePerson(db: Db, scope: KeyScope, personId: string): Promise<boolean> {
  const pointerKey = personKeys.pointer(scope, personId);
  const { Item } = await db.doc.send(
    new GetCommand({ TableName: db.tableName, Key: pointerKey, ConsistentRead: true }),
  );
  if (!Item) return false;
  const person = toPerson(Item);
  try {
    await db.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Delete: { TableName: db.tableName, Key: pointerKey, ConditionExpression: 'attribute_exists(pk)' },
          },
          {
            Delete: {
              TableName: db.tableName,
              Key: personKeys.byIdentity(person.identity),
              // Only this person's identity item: the identity may have been mapped anew since.
              ConditionExpression: 'attribute_not_exists(pk) OR personId = :id',
              ExpressionAttributeValues: { ':id': personId },
            },
          },
        ],
      }),
    );
  } catch (error) {
    // A concurrent removal won: the person is gone either way.
    if (!isConditionFailure(error)) throw error;
  }
  return true;
}

/**
 * The person an ID token's claims name: by issuer + subject first, else by verified e-mail. One
 * BatchGetItem, strongly consistent, so a mapping removed a moment ago never signs anyone in.
 */
export async function findPersonByClaims(
  db: Db,
  claims: { iss: string; sub: string; email?: string | undefined; emailVerified: boolean },
): Promise<Person | undefined> {
  const bySubject = personKeys.byIdentity({ kind: 'subject', issuer: claims.iss, subject: claims.sub });
  const byEmail =
    claims.email && claims.emailVerified
      ? personKeys.byIdentity({ kind: 'email', email: claims.email })
      : undefined;
  const { Responses } = await db.doc.send(
    new BatchGetCommand({
      RequestItems: {
        [db.tableName]: { Keys: byEmail ? [bySubject, byEmail] : [bySubject], ConsistentRead: true },
      },
    }),
  );
  const found = (Responses?.[db.tableName] ?? []).map(toPerson);
  return found.find((p) => p.identity.kind === 'subject') ?? found[0];
}

function toPerson(item: Record<string, unknown>): Person {
  return {
    personId: String(item.personId),
    name: String(item.name),
    role: item.role as Role,
    scope: item.scope as KeyScope,
    identity: item.identity as Identity,
    createdAt: String(item.createdAt),
    ...(typeof item.createdBy === 'string' ? { createdBy: item.createdBy } : {}),
  };
}
