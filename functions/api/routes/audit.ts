import * as z from 'zod';
import { BROKEN_REASONS } from '../../../shared/audit/chain-check.ts';
import {
  listTenantAuditEvents,
  TENANT_AUDIT_EVENT_TYPES,
  TENANT_AUDIT_SK,
} from '../../../shared/audit/tenant-audit.ts';
import { verifyTenantAudit } from '../../../shared/audit/verify-tenant.ts';
import { decodePageToken, encodePageToken } from '../../../shared/http/page-token.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { instant, tenantId } from '../../../shared/schemas/common.ts';
import { listQuery, pageOf } from '../../../shared/schemas/list.ts';
import { tenantPk } from '../../../shared/store/keys.ts';

/** Tamper evidence (DESIGN.md §5): recompute the county's hash chains and name the first broken link. */

const verifyResult = z
  .object({
    ok: z.boolean(),
    checked: z.number().int().meta({ description: 'Audit events verified' }),
    holds: z.number().int().meta({ description: 'Hold chains verified' }),
    firstBroken: z
      .object({
        chain: z
          .enum(['hold', 'tenant'])
          .meta({ description: 'A hold\u2019s chain, or the county\u2019s own' }),
        holdId: z.string().optional(),
        seq: z.number().int(),
        eventId: z
          .string()
          .optional()
          .meta({ description: 'Absent when the broken link is a missing event' }),
        reason: z.enum(BROKEN_REASONS),
        detail: z.string(),
      })
      .optional(),
  })
  .meta({ id: 'AuditVerification' });

export const verifyAuditRoute = defineRoute({
  operationId: 'verifyAudit',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/audit/verify',
  summary: 'Recompute every audit hash chain of the county and name the first broken link',
  tag: 'Audit',
  access: ['county-admin'],
  params: z.strictObject({ tenantId }),
  responses: { 200: { description: 'The verification result', schema: verifyResult } },
  handle: async ({ params }, { deps }) => ({
    status: 200,
    body: await verifyTenantAudit(deps.db, params.tenantId),
  }),
});

const snapshot = z.record(z.string(), z.unknown()).nullable();

const tenantAuditEvent = z
  .object({
    eventId: z.string(),
    tenantId: z.string(),
    seq: z.number().int(),
    type: z.enum(TENANT_AUDIT_EVENT_TYPES),
    subject: z.object({ kind: z.string(), id: z.string() }),
    occurredAt: instant,
    actor: z.object({
      kind: z.string(),
      keyId: z.string().optional(),
      role: z.string().optional(),
      name: z.string().optional(),
    }),
    requestId: z.string().optional(),
    before: snapshot.meta({ description: 'The subject before the change, without secrets or person data' }),
    after: snapshot.meta({ description: 'The subject after the change, without secrets or person data' }),
    changed: z
      .array(z.string())
      .optional()
      .meta({ description: 'Person-data fields that changed; their values are not kept in the event' }),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'TenantAuditEvent' });

export const listAuditEventsRoute = defineRoute({
  operationId: 'listAuditEvents',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/audit/events',
  summary: 'The county\u2019s own audit chain (every change that is not a hold transition), oldest first',
  tag: 'Audit',
  access: ['county-admin'],
  params: z.strictObject({ tenantId }),
  query: listQuery,
  responses: {
    200: { description: 'A page of audit events', schema: pageOf(tenantAuditEvent, 'TenantAuditEventPage') },
  },
  handle: async ({ params, query }, { deps }) => {
    const page = await listTenantAuditEvents(deps.db, params.tenantId, {
      limit: query.limit,
      ...(query.nextToken
        ? { startKey: decodePageToken(query.nextToken, tenantPk(params.tenantId), TENANT_AUDIT_SK.prefix) }
        : {}),
    });
    return {
      status: 200,
      body: { items: page.items, ...(page.nextKey ? { nextToken: encodePageToken(page.nextKey) } : {}) },
    };
  },
});

export const auditRoutes = [verifyAuditRoute, listAuditEventsRoute];
