import * as z from 'zod';
import { BROKEN_REASONS } from '../../../shared/audit/chain-check.ts';
import { verifyTenantAudit } from '../../../shared/audit/verify-tenant.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { tenantId } from '../../../shared/schemas/common.ts';

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

export const auditRoutes = [verifyAuditRoute];
