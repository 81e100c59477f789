import * as z from 'zod';
import { auditContext } from '../../../shared/audit/tenant-audit.ts';
import { isCredentialActive } from '../../../shared/domain/custody-rules.ts';
import { declareProblems } from '../../../shared/errors/declared.ts';
import { decodePageToken, encodePageToken } from '../../../shared/http/page-token.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import {
  credential,
  credentialProblems,
  findOfficer,
  nominate,
  nominateProblems,
  suspend,
  suspendProblems,
} from '../../../shared/officers/use-cases.ts';
import { tenantId } from '../../../shared/schemas/common.ts';
import { createFacilityBody, facility, facilityPage } from '../../../shared/schemas/facility.ts';
import { type ListQuery, listQuery } from '../../../shared/schemas/list.ts';
import {
  credentialOfficerBody,
  nominateOfficerBody,
  type Officer,
  officer,
  officerId,
  officerPage,
  suspendOfficerBody,
} from '../../../shared/schemas/officer.ts';
import { createFacility, listFacilities } from '../../../shared/store/facilities.ts';
import { SK_PREFIX, tenantPk } from '../../../shared/store/keys.ts';
import { listOfficers, type OfficerRecord } from '../../../shared/store/officers.ts';
import type { Page, PageRequest } from '../../../shared/store/pagination.ts';

/** County set-up: the facilities of a county and its WSO officer roster. */

const tenantParams = z.strictObject({ tenantId });
const officerParams = z.strictObject({ tenantId, officerId });

const createFacilityProblems = declareProblems(['facility-exists']);

export const createFacilityRoute = defineRoute({
  operationId: 'createFacility',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/facilities',
  summary: 'Add a jail facility to the county',
  tag: 'County set-up',
  access: ['county-admin'],
  params: tenantParams,
  body: createFacilityBody,
  idempotent: true,
  responses: {
    201: { description: 'Created', schema: facility },
  },
  problems: createFacilityProblems.problems,
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const audit = auditContext(principal, requestId);
    const created = await createFacility(deps, params.tenantId, body, deps.clock.now(), audit);
    if (!created) {
      throw createFacilityProblems.refuse('facility-exists', `Facility ${body.facilityId} already exists.`);
    }
    return { status: 201, body: created };
  },
});

export const listFacilitiesRoute = defineRoute({
  operationId: 'listFacilities',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/facilities',
  summary: 'List the county\u2019s facilities',
  tag: 'County set-up',
  access: ['county-admin', 'ice-liaison', 'jail-system'],
  params: tenantParams,
  query: listQuery,
  responses: { 200: { description: 'A page of facilities, by id', schema: facilityPage } },
  problems: [],
  handle: async ({ params, query }, { deps }) => {
    const page = await listFacilities(
      deps.db,
      params.tenantId,
      pageRequest(params.tenantId, SK_PREFIX.facility, query),
    );
    return { status: 200, body: pageBody(page, (item) => item) };
  },
});

export const nominateOfficerRoute = defineRoute({
  operationId: 'nominateOfficer',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/officers',
  summary: 'Nominate a jail officer for the WSO program',
  tag: 'County set-up',
  access: ['county-admin'],
  params: tenantParams,
  body: nominateOfficerBody,
  idempotent: true,
  responses: {
    201: { description: 'Nominated (status NOMINATED)', schema: officer },
  },
  problems: nominateProblems.problems,
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const now = deps.clock.now();
    const created = await nominate(deps, params.tenantId, body, now, auditContext(principal, requestId));
    return {
      status: 201,
      body: officerView(created, now),
      headers: { location: `/v1/tenants/${params.tenantId}/officers/${body.officerId}` },
    };
  },
});

export const credentialOfficerRoute = defineRoute({
  operationId: 'credentialOfficer',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/officers/{officerId}/credential',
  summary: 'Record the federal credential ICE issued (also renews, and lifts a suspension)',
  tag: 'County set-up',
  access: ['ice-liaison'],
  params: officerParams,
  body: credentialOfficerBody,
  idempotent: true,
  responses: {
    200: { description: 'Credentialed (status CREDENTIALED)', schema: officer },
  },
  problems: credentialProblems.problems,
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const now = deps.clock.now();
    const audit = auditContext(principal, requestId);
    const officer = await credential(deps, params.tenantId, params.officerId, body, now, audit);
    return { status: 200, body: officerView(officer, now) };
  },
});

export const suspendOfficerRoute = defineRoute({
  operationId: 'suspendOfficer',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/officers/{officerId}/suspend',
  summary: 'Suspend an officer: they may not serve warrants until credentialed again',
  tag: 'County set-up',
  access: ['county-admin', 'ice-liaison'],
  params: officerParams,
  body: suspendOfficerBody,
  idempotent: true,
  responses: {
    200: { description: 'Suspended (status SUSPENDED)', schema: officer },
  },
  problems: suspendProblems.problems,
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const now = deps.clock.now();
    const audit = auditContext(principal, requestId);
    const officer = await suspend(deps, params.tenantId, params.officerId, body.reason, now, audit);
    return { status: 200, body: officerView(officer, now) };
  },
});

export const listOfficersRoute = defineRoute({
  operationId: 'listOfficers',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/officers',
  summary: 'List the county\u2019s officer roster',
  tag: 'County set-up',
  access: ['county-admin', 'ice-liaison'],
  params: tenantParams,
  query: listQuery,
  responses: { 200: { description: 'A page of officers, by id', schema: officerPage } },
  problems: [],
  handle: async ({ params, query }, { deps }) => {
    const now = deps.clock.now();
    const page = await listOfficers(
      deps.db,
      params.tenantId,
      pageRequest(params.tenantId, SK_PREFIX.officer, query),
    );
    return { status: 200, body: pageBody(page, (item) => officerView(item, now)) };
  },
});

export const getOfficerRoute = defineRoute({
  operationId: 'getOfficer',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/officers/{officerId}',
  summary: 'Read an officer',
  tag: 'County set-up',
  access: ['county-admin', 'ice-liaison'],
  params: officerParams,
  responses: { 200: { description: 'The officer', schema: officer } },
  problems: [],
  handle: async ({ params }, { deps }) => ({
    status: 200,
    body: officerView(await findOfficer(deps, params.tenantId, params.officerId), deps.clock.now()),
  }),
});

/** The API's view: `credentialActive` is computed at read time; the storage copy of the expiry is not shown. */
function officerView(record: OfficerRecord, now: Date): Officer {
  const { credentialExpiresOn, ...rest } = record;
  return { ...rest, credentialActive: isCredentialActive(record.status, credentialExpiresOn, now) };
}

/** `?limit=&nextToken=` to a store page request; a token from another list or tenant is a 400. */
const pageRequest = (
  tenant: string,
  skPrefix: string,
  query: ListQuery,
): Pick<PageRequest, 'limit' | 'startKey'> => ({
  limit: query.limit,
  ...(query.nextToken ? { startKey: decodePageToken(query.nextToken, tenantPk(tenant), skPrefix) } : {}),
});

const pageBody = <T, V>(page: Page<T>, view: (item: T) => V): { items: V[]; nextToken?: string } => ({
  items: page.items.map(view),
  ...(page.nextKey ? { nextToken: encodePageToken(page.nextKey) } : {}),
});

export const countyRoutes = [
  createFacilityRoute,
  listFacilitiesRoute,
  nominateOfficerRoute,
  credentialOfficerRoute,
  suspendOfficerRoute,
  listOfficersRoute,
  getOfficerRoute,
];
