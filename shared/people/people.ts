import type { KeyScope, Role } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { IdGenerator } from '../ids.ts';
import type { Db } from '../store/db.ts';
import {
  deletePerson,
  insertPerson,
  personKeys,
  readIdentityItems,
  readPeopleItems,
  readPersonItem,
} from '../store/people.ts';
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

/** Where a person's items live: shared/store/people.ts owns them. */
export { personKeys };

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
  const outcome = await insertPerson(db, person, ownerCheck);
  if (outcome !== 'ok') return { ok: false, reason: outcome };
  return { ok: true, person };
}

/** The owner's people, oldest first (one Query of the owner's partition). */
export async function listPeople(db: Db, scope: KeyScope): Promise<Person[]> {
  return (await readPeopleItems(db, scope)).map(toPerson);
}

/** Removes the mapping; every session of the person fails its next check. False if unknown. */
export async function removePerson(db: Db, scope: KeyScope, personId: string): Promise<boolean> {
  const item = await readPersonItem(db, scope, personId);
  if (!item) return false;
  await deletePerson(db, toPerson(item));
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
  const bySubject: Identity = { kind: 'subject', issuer: claims.iss, subject: claims.sub };
  const byEmail: Identity | undefined =
    claims.email && claims.emailVerified ? { kind: 'email', email: claims.email } : undefined;
  const items = await readIdentityItems(db, bySubject, byEmail);
  const found = [items.subject, items.email].flatMap((item) => (item ? [toPerson(item)] : []));
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
