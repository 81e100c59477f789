import type { Person } from '../../../shared/people/people.ts';
import { personIntents } from '../../../shared/store/people.ts';
import { absent, type Case, on, putItemOf, TABLE, without } from './fixtures.ts';

/** A county's sign-in mapping whose id and identity derive from the case's tenant (the identity item is outside it). */
const person = (t: string): Person => ({
  personId: `01PERSON${t}`,
  name: 'Dana Admin',
  role: 'county-admin',
  scope: { kind: 'tenant', tenantId: t },
  identity: { kind: 'email', email: `admin@${t}.example` },
  createdAt: '2026-11-24T03:00:00Z',
  createdBy: 'platform-admin:key-1@PLATFORM',
});
const identityItem = (t: string) => putItemOf(personIntents.claimIdentity(TABLE, person(t)));
const pointerItem = (t: string) => putItemOf(personIntents.store(TABLE, person(t)));

/** personIntents (shared/store/people.ts): one entry per factory. */
export const personCases = {
  // 'attribute_not_exists(pk)'
  claimIdentity: on(
    (t) => personIntents.claimIdentity(TABLE, person(t)),
    [
      ['identity unmapped', absent, 'accepted'],
      ['identity mapped to someone', (_s, t) => identityItem(t), 'refused'],
    ],
  ),
  // 'attribute_not_exists(pk)'
  store: on(
    (t) => personIntents.store(TABLE, person(t)),
    [
      ['person id free', absent, 'accepted'],
      ['person id taken', (_s, t) => pointerItem(t), 'refused'],
    ],
  ),
  // 'attribute_exists(pk)'
  remove: on(
    (t) => personIntents.remove(TABLE, person(t)),
    [
      ['already removed', absent, 'refused'],
      ['mapped', (_s, t) => pointerItem(t), 'accepted'],
    ],
  ),
  // 'attribute_not_exists(pk) OR personId = :id'
  releaseIdentity: on(
    (t) => personIntents.releaseIdentity(TABLE, person(t)),
    [
      ['identity item gone', absent, 'accepted'],
      ['still this person\u2019s', (_s, t) => identityItem(t), 'accepted'],
      [
        'mapped anew to another person',
        (_s, t) => ({ ...identityItem(t), personId: '01SOMEONEELSE' }),
        'refused',
      ],
      ['without personId', (_s, t) => without(identityItem(t), 'personId'), 'refused'],
    ],
  ),
} satisfies Record<keyof typeof personIntents, Case[]>;
