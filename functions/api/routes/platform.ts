import * as z from 'zod';
import { auditContext } from '../../../shared/audit/tenant-audit.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { jurisdictionSummary } from '../../../shared/jurisdictions/notice-lead.ts';
import {
  issueStateKey,
  issueStateKeyProblems,
  issueTenantKey,
  issueTenantKeyProblems,
  revokeTenantKey,
} from '../../../shared/keys/use-cases.ts';
import { createStateKeyBody, createTenantKeyBody, issuedKey } from '../../../shared/schemas/api-key.ts';
import { stateCode, tenantId } from '../../../shared/schemas/common.ts';
import { createTenantBody, patchTenantBody, type Tenant, tenant } from '../../../shared/schemas/tenant.ts';
import { createTenant, getTenant, patchTenant } from '../../../shared/store/tenants.ts';

const tenantParams = z.strictObject({ tenantId });
const keyParams = z.strictObject({ tenantId, keyId: z.string().min(1).max(64) });
const stateParams = z.strictObject({ state: stateCode });

/** A tenant as the API shows it: the stored settings and how its state's profile applies. */
const tenantView = (stored: Tenant): Tenant => ({ ...stored, jurisdiction: jurisdictionSummary(stored) });

export const health = defineRoute({
  operationId: 'getHealth',
  method: 'GET',
  path: '/v1/health',
  summary: 'Liveness check',
  tag: 'Platform',
  access: 'public',
  responses: { 200: { description: 'The API is up', schema: z.object({ status: z.literal('ok') }) } },
  problems: [],
  handle: async () => ({ status: 200, body: { status: 'ok' } }),
});

export const createTenantRoute = defineRoute({
  operationId: 'createTenant',
  method: 'POST',
  path: '/v1/tenants',
  summary: 'Onboard a county as a tenant',
  tag: 'Platform',
  access: ['platform-admin'],
  body: createTenantBody,
  idempotent: true,
  responses: { 201: { description: 'Created', schema: tenant } },
  problems: ['tenant-exists'],
  handle: async ({ body }, { deps, principal, requestId }) => {
    const created = await createTenant(deps, body, deps.clock.now(), auditContext(principal, requestId));
    if (!created) throw problems.conflict('tenant-exists', `Tenant ${body.tenantId} already exists.`);
    return {
      status: 201,
      body: tenantView(created),
      headers: { location: `/v1/tenants/${body.tenantId}` },
    };
  },
});

export const getTenantRoute = defineRoute({
  operationId: 'getTenant',
  method: 'GET',
  path: '/v1/tenants/{tenantId}',
  summary: 'Read a tenant',
  tag: 'Platform',
  access: ['platform-admin', 'county-admin'],
  params: tenantParams,
  responses: { 200: { description: 'The tenant', schema: tenant } },
  problems: [],
  handle: async ({ params }, { deps }) => {
    const found = await getTenant(deps.db, params.tenantId);
    if (!found) throw problems.notFound('The tenant');
    return { status: 200, body: tenantView(found) };
  },
});

export const patchTenantRoute = defineRoute({
  operationId: 'updateTenant',
  method: 'PATCH',
  path: '/v1/tenants/{tenantId}',
  summary: 'Change tenant settings',
  tag: 'Platform',
  access: ['county-admin'],
  params: tenantParams,
  body: patchTenantBody,
  idempotent: true,
  responses: {
    200: { description: 'The updated tenant', schema: tenant },
  },
  problems: ['concurrent-modification', 'release-notice-later-than-state'],
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const result = await patchTenant(
      deps,
      params.tenantId,
      body,
      deps.clock.now(),
      auditContext(principal, requestId),
    );
    if (result.kind === 'not-found') throw problems.notFound('The tenant');
    if (result.kind === 'conflict') {
      throw problems.conflict('concurrent-modification', 'The tenant changed meanwhile; read it and retry.');
    }
    if (result.kind === 'rule') throw problems.rule(result.breach.slug, result.breach.detail);
    return { status: 200, body: tenantView(result.tenant) };
  },
});

export const createTenantKeyRoute = defineRoute({
  operationId: 'createTenantApiKey',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/api-keys',
  summary: 'Issue an API key for the county (shown once)',
  tag: 'Platform',
  access: ['platform-admin', 'county-admin'],
  params: tenantParams,
  body: createTenantKeyBody,
  idempotent: true,
  // The key's record lives under APIKEY#<hash>, outside the tenant partition (one transaction).
  db: 'function-role',
  responses: {
    201: { description: 'The key, shown once', schema: issuedKey },
  },
  problems: issueTenantKeyProblems.problems,
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const audit = auditContext(principal, requestId);
    return { status: 201, body: await issueTenantKey(deps, params.tenantId, body, principal, audit) };
  },
});

export const revokeTenantKeyRoute = defineRoute({
  operationId: 'revokeTenantApiKey',
  method: 'DELETE',
  path: '/v1/tenants/{tenantId}/api-keys/{keyId}',
  summary: 'Revoke an API key; it stops working at once',
  tag: 'Platform',
  access: ['platform-admin', 'county-admin'],
  params: keyParams,
  idempotent: true,
  // Revocation also marks APIKEY#<hash>, outside the tenant partition (one transaction).
  db: 'function-role',
  responses: { 204: { description: 'Revoked' } },
  problems: [],
  handle: async ({ params }, { deps, principal, requestId }) => {
    const audit = auditContext(principal, requestId);
    await revokeTenantKey(deps, params.tenantId, params.keyId, principal, audit);
    return { status: 204 };
  },
});

export const createStateKeyRoute = defineRoute({
  operationId: 'createStateApiKey',
  method: 'POST',
  path: '/v1/states/{state}/api-keys',
  summary: 'Issue a state-oversight key (shown once)',
  tag: 'Platform',
  access: ['platform-admin'],
  params: stateParams,
  body: createStateKeyBody,
  idempotent: true,
  responses: {
    201: { description: 'The key, shown once', schema: issuedKey },
  },
  problems: issueStateKeyProblems.problems,
  handle: async ({ params, body }, { deps, principal }) => ({
    status: 201,
    body: await issueStateKey(deps, params.state, body.name, principal),
  }),
});

export const platformRoutes = [
  health,
  createTenantRoute,
  getTenantRoute,
  patchTenantRoute,
  createTenantKeyRoute,
  revokeTenantKeyRoute,
  createStateKeyRoute,
];
