import {
  type AuditContext,
  type AuditSubject,
  commitAudited,
  commitAuditedIntents,
} from '../audit/tenant-audit.ts';
import type { KeyScope, Role } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { IdGenerator } from '../ids.ts';
import type { Db } from '../store/db.ts';
import {
  personIntents,
  personKeys,
  readIdentityItems,
  readPeopleItems,
  readPersonItem,
} from '../store/people.ts';
import { tenantIntents } from '../store/tenant-intents.ts';
import { anyRefusal, type Intent, TransactionRefused, UnitOfWork } from '../store/unit-of-work.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { PersonView } from './schemas.ts';

/**
 * People: who may sign in to the HTML pages, and as what. A mapping ties one identity (the
 * identity provider's issuer and subject, or a verified e-mail address) to one role and one scope,
 * as an API key is scoped. Two items per person, written and deleted together:
 * - `IDENTITY#<hash>`: the sign-in callback finds the person by identity without knowing the scope;
 * - `<owner pk> / PERSON#<personId>`: the owner's list, and the item every session checks on every
 *   request, so deleting it ends that person's sessions at once.
 * A county's mappings are audited on its chain (kind `signin`, one chain per person), in the same
 * transaction as the change (DESIGN.md §5: every state change); a state's, like a state's keys,
 * belong to no county's chain.
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

export interface PeopleDeps {
  db: Db;
  clock: Clock;
  ids: IdGenerator;
}

const auditSubject = (personId: string): AuditSubject => ({ kind: 'signin', id: personId });

const mapping = (table: string, person: Person): Intent[] => [
  personIntents.claimIdentity(table, person),
  personIntents.store(table, person),
];
const unmapping = (table: string, person: Person): Intent[] => [
  personIntents.remove(table, person),
  personIntents.releaseIdentity(table, person),
];

/**
 * Maps an identity to a role and scope. A county must exist ('no-owner' otherwise); an identity
 * maps to one person only (409 otherwise: remove the old mapping first).
 */
export async function mapPerson(
  deps: PeopleDeps,
  request: { name: string; role: Role; scope: KeyScope; identity: Identity; createdBy?: string },
  audit: AuditContext,
): Promise<MapPersonResult> {
  const { db } = deps;
  const person: Person = {
    personId: deps.ids.next(),
    ...request,
    createdAt: toIsoSeconds(deps.clock.now()),
  };
  const { scope } = person;
  if (scope.kind === 'tenant') {
    const result = await commitAuditedIntents(
      deps,
      scope.tenantId,
      {
        type: 'signin.mapped',
        subject: auditSubject(person.personId),
        occurredAt: person.createdAt,
        actor: audit.actor,
        requestId: audit.requestId,
        before: null,
        after: { ...person },
      },
      [tenantIntents.mustExist(db.tableName, scope.tenantId), ...mapping(db.tableName, person)],
    );
    if (!result.ok)
      return { ok: false, reason: result.refusal.module === 'tenants' ? 'no-owner' : 'identity-taken' };
    return { ok: true, person };
  }
  try {
    await new UnitOfWork(db).add(...mapping(db.tableName, person)).commit();
  } catch (error) {
    if (error instanceof TransactionRefused) return { ok: false, reason: 'identity-taken' };
    throw error;
  }
  return { ok: true, person };
}

/** The owner's people, oldest first (one Query of the owner's partition). */
export async function listPeople(db: Db, scope: KeyScope): Promise<Person[]> {
  return (await readPeopleItems(db, scope)).map(toPerson);
}

/**
 * Removes the mapping; every session of the person fails its next check. False if unknown. Of two
 * removals racing, both answer true (the person is gone either way); a county's chain gets one
 * `signin.removed`.
 */
export async function removePerson(
  deps: PeopleDeps,
  scope: KeyScope,
  personId: string,
  audit: AuditContext,
): Promise<boolean> {
  const { db } = deps;
  if (scope.kind === 'tenant') {
    let found = false;
    const { result } = await commitAudited<'pointer', boolean>(
      deps,
      scope.tenantId,
      auditSubject(personId),
      { pointer: personKeys.pointer(scope, personId) },
      ({ pointer }) => {
        if (!pointer) return { unchanged: found };
        found = true;
        const person = toPerson(pointer);
        return {
          change: {
            type: 'signin.removed',
            subject: auditSubject(personId),
            occurredAt: toIsoSeconds(deps.clock.now()),
            actor: audit.actor,
            requestId: audit.requestId,
            before: { ...person },
            after: null,
          },
          intents: unmapping(db.tableName, person),
          result: true,
        };
      },
      anyRefusal,
    );
    return result;
  }
  const item = await readPersonItem(db, scope, personId);
  if (!item) return false;
  try {
    await new UnitOfWork(db).add(...unmapping(db.tableName, toPerson(item))).commit();
  } catch (error) {
    // A concurrent removal won: the person is gone either way.
    if (!(error instanceof TransactionRefused)) throw error;
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
