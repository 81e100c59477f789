import * as z from 'zod';
import { auditContext } from '../../../shared/audit/tenant-audit.ts';
import { ownerPk } from '../../../shared/auth/api-keys.ts';
import type { KeyScope, Principal } from '../../../shared/auth/principal.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import {
  identityOf,
  listPeople,
  mapPerson,
  personView,
  removePerson,
} from '../../../shared/people/people.ts';
import {
  createStatePersonBody,
  createTenantPersonBody,
  personList,
  personSchema,
} from '../../../shared/people/schemas.ts';
import { stateCode, tenantId } from '../../../shared/schemas/common.ts';

/**
 * Who may sign in to the HTML pages, and as what (issue 18). Like keys, a person is one role on one
 * scope: a county's people (county-admin, ice-liaison) are mapped by the platform or the county's
 * admin; a state's auditors by the platform. Removing a mapping ends the person's sessions at once.
 */
const personId = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[0-9A-Za-z]+$/);
const tenantParams = z.strictObject({ tenantId });
const tenantPersonParams = z.strictObject({ tenantId, personId });
const stateParams = z.strictObject({ state: stateCode });
const statePersonParams = z.strictObject({ state: stateCode, personId });

const mappedBy = (principal: Principal | undefined): string =>
  principal ? `${principal.role}:${principal.keyId}@${ownerPk(principal.scope)}` : 'anonymous';

const identityTaken = () =>
  problems.conflict('identity-mapped', 'This identity is mapped already; remove that mapping first.');

export const createTenantPersonRoute = defineRoute({
  operationId: 'createTenantPerson',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/people',
  summary: 'Lets a person sign in to the county\u2019s pages: maps an identity to a role',
  tag: 'People',
  access: ['platform-admin', 'county-admin'],
  params: tenantParams,
  body: createTenantPersonBody,
  idempotent: true,
  // The identity lookup item (IDENTITY#<hash>) lives outside the tenant partition (one transaction).
  db: 'function-role',
  responses: {
    201: { description: 'The mapping', schema: personSchema },
  },
  problems: ['identity-mapped'],
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const scope: KeyScope = { kind: 'tenant', tenantId: params.tenantId };
    const result = await mapPerson(
      deps,
      { name: body.name, role: body.role, scope, identity: identityOf(body), createdBy: mappedBy(principal) },
      auditContext(principal, requestId),
    );
    if (!result.ok) throw result.reason === 'no-owner' ? problems.notFound('The tenant') : identityTaken();
    return { status: 201, body: personView(result.person) };
  },
});

export const listTenantPeopleRoute = defineRoute({
  operationId: 'listTenantPeople',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/people',
  summary: 'The people who may sign in to the county\u2019s pages',
  tag: 'People',
  access: ['platform-admin', 'county-admin'],
  params: tenantParams,
  responses: { 200: { description: 'The people', schema: personList } },
  problems: [],
  handle: async ({ params }, { deps }) => {
    const people = await listPeople(deps.db, { kind: 'tenant', tenantId: params.tenantId });
    return { status: 200, body: { items: people.map(personView) } };
  },
});

export const removeTenantPersonRoute = defineRoute({
  operationId: 'removeTenantPerson',
  method: 'DELETE',
  path: '/v1/tenants/{tenantId}/people/{personId}',
  summary: 'Removes a person\u2019s mapping; their sessions end at once',
  tag: 'People',
  access: ['platform-admin', 'county-admin'],
  params: tenantPersonParams,
  db: 'function-role',
  responses: { 204: { description: 'Removed' } },
  problems: [],
  handle: async ({ params }, { deps, principal, requestId }) => {
    const removed = await removePerson(
      deps,
      { kind: 'tenant', tenantId: params.tenantId },
      params.personId,
      auditContext(principal, requestId),
    );
    if (!removed) throw problems.notFound('The person');
    return { status: 204 };
  },
});

export const createStatePersonRoute = defineRoute({
  operationId: 'createStatePerson',
  method: 'POST',
  path: '/v1/states/{state}/people',
  summary: 'Lets a state auditor sign in to the state\u2019s oversight dashboard',
  tag: 'People',
  access: ['platform-admin'],
  params: stateParams,
  body: createStatePersonBody,
  idempotent: true,
  responses: {
    201: { description: 'The mapping', schema: personSchema },
  },
  problems: ['identity-mapped'],
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const scope: KeyScope = { kind: 'state', state: params.state };
    const result = await mapPerson(
      deps,
      { name: body.name, role: body.role, scope, identity: identityOf(body), createdBy: mappedBy(principal) },
      auditContext(principal, requestId),
    );
    if (!result.ok) throw identityTaken();
    return { status: 201, body: personView(result.person) };
  },
});

export const listStatePeopleRoute = defineRoute({
  operationId: 'listStatePeople',
  method: 'GET',
  path: '/v1/states/{state}/people',
  summary: 'The auditors who may sign in to the state\u2019s dashboard',
  tag: 'People',
  access: ['platform-admin'],
  params: stateParams,
  responses: { 200: { description: 'The people', schema: personList } },
  problems: [],
  handle: async ({ params }, { deps }) => {
    const people = await listPeople(deps.db, { kind: 'state', state: params.state });
    return { status: 200, body: { items: people.map(personView) } };
  },
});

export const removeStatePersonRoute = defineRoute({
  operationId: 'removeStatePerson',
  method: 'DELETE',
  path: '/v1/states/{state}/people/{personId}',
  summary: 'Removes an auditor\u2019s mapping; their sessions end at once',
  tag: 'People',
  access: ['platform-admin'],
  params: statePersonParams,
  responses: { 204: { description: 'Removed' } },
  problems: [],
  handle: async ({ params }, { deps, principal, requestId }) => {
    const removed = await removePerson(
      deps,
      { kind: 'state', state: params.state },
      params.personId,
      auditContext(principal, requestId),
    );
    if (!removed) throw problems.notFound('The person');
    return { status: 204 };
  },
});

export const peopleRoutes = [
  createTenantPersonRoute,
  listTenantPeopleRoute,
  removeTenantPersonRoute,
  createStatePersonRoute,
  listStatePeopleRoute,
  removeStatePersonRoute,
];
