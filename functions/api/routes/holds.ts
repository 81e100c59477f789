import * as z from 'zod';
import type { Principal } from '../../../shared/auth/principal.ts';
import type { Hold } from '../../../shared/domain/hold.ts';
import {
  releaseBooking,
  releaseHold,
  reviewHold,
  serveWarrant,
  transferHold,
  withdrawWarrant,
} from '../../../shared/holds/use-cases.ts';
import { decodePageToken, encodePageToken } from '../../../shared/http/page-token.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute, type RequestContext } from '../../../shared/http/route.ts';
import { clientId, tenantId, ulid } from '../../../shared/schemas/common.ts';
import {
  holdEventSchema,
  holdListQuery,
  holdPage,
  holdSchema,
  releaseBody,
  reviewBody,
  serveWarrantBody,
  transferBody,
  withdrawBody,
} from '../../../shared/schemas/hold.ts';
import { type Actor, getHoldWithKey, listHoldEvents, listHolds } from '../../../shared/store/holds.ts';
import { SK_PREFIX, tenantPk } from '../../../shared/store/keys.ts';

const TENANT_ROLES = ['county-admin', 'jail-system', 'wso-officer', 'ice-liaison'] as const;
const tenantParams = z.strictObject({ tenantId });
const holdParams = z.strictObject({ tenantId, holdId: ulid });

const actorOf = (principal: Principal | undefined): Extract<Actor, { kind: 'credential' }> => ({
  kind: 'credential',
  keyId: principal?.keyId ?? 'unknown',
  role: principal?.role ?? 'unknown',
});

/** A wso-officer key sees only the holds its own officer served. */
const officerFilter = (principal: Principal | undefined): string | undefined =>
  principal?.role === 'wso-officer' ? (principal.officerId ?? '\u0000') : undefined;

/** The hold, read in one request with the caller's key when the route defers the key check. */
async function readHold(ctx: RequestContext, tenant: string, holdId: string): Promise<Hold> {
  const { stored, keyItem } = await getHoldWithKey(ctx.deps.db, tenant, holdId, ctx.caller.keyRef);
  await ctx.caller.admit(keyItem);
  const officerOnly = officerFilter(ctx.principal);
  if (!stored || (officerOnly !== undefined && stored.hold.officerId !== officerOnly))
    throw problems.notFound('The hold');
  return stored.hold;
}

const holdResponses = (extra: Record<number, { description: string }> = {}) => ({
  200: { description: 'The hold', schema: holdSchema },
  ...extra,
});

export const serveWarrantRoute = defineRoute({
  operationId: 'serveWarrant',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/holds',
  summary: 'Record warrant service: opens a hold with its 48-hour deadline and timer',
  tag: 'Holds',
  access: ['wso-officer', 'jail-system'],
  params: tenantParams,
  body: serveWarrantBody,
  idempotent: true,
  keyInFirstRead: true,
  responses: {
    201: { description: 'The hold', schema: holdSchema },
  },
  // The service rules (shared/domain/service-rules.ts), each named by its `type`.
  problems: [
    'open-hold-exists',
    'concurrent-modification',
    'served-in-future',
    'booking-not-found',
    ['booking-released', 422],
    'served-before-booking',
    'officer-not-found',
    'officer-not-credentialed',
    'officer-credential-expired',
    'officer-not-assigned-to-facility',
    'warrant-not-found',
    ['warrant-withdrawn', 422],
    'warrant-already-served',
    'warrant-for-another-booking',
    'no-igsa-agreement',
  ],
  handle: async ({ params, body }, ctx) => {
    const caller = ctx.caller.also((principal) => {
      if (principal.role === 'wso-officer' && principal.officerId !== body.officerId) {
        throw problems.forbidden();
      }
    });
    const hold = await serveWarrant(
      ctx.deps,
      params.tenantId,
      { ...body, servedAt: new Date(body.servedAt) },
      caller,
      ctx.requestId,
    );
    return {
      status: 201,
      body: hold,
      headers: { location: `/v1/tenants/${params.tenantId}/holds/${hold.holdId}` },
    };
  },
});

export const listHoldsRoute = defineRoute({
  operationId: 'listHolds',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/holds',
  summary: 'List holds, newest first (a wso-officer key sees only its own)',
  tag: 'Holds',
  access: TENANT_ROLES,
  params: tenantParams,
  query: holdListQuery,
  responses: { 200: { description: 'A page of holds', schema: holdPage } },
  problems: [],
  handle: async ({ params, query }, ctx) => {
    const pk = tenantPk(params.tenantId);
    const officerId = officerFilter(ctx.principal);
    const page = await listHolds(ctx.deps.db, params.tenantId, {
      limit: query.limit,
      ...(query.nextToken ? { startKey: decodePageToken(query.nextToken, pk, SK_PREFIX.hold) } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.needsReview ? { needsReview: query.needsReview === 'true' } : {}),
      ...(officerId ? { officerId } : {}),
    });
    return {
      status: 200,
      body: { items: page.holds, ...(page.nextKey ? { nextToken: encodePageToken(page.nextKey) } : {}) },
    };
  },
});

export const getHoldRoute = defineRoute({
  operationId: 'getHold',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/holds/{holdId}',
  summary: 'Read a hold',
  tag: 'Holds',
  access: TENANT_ROLES,
  params: holdParams,
  keyInFirstRead: true,
  responses: holdResponses(),
  problems: [],
  handle: async ({ params }, ctx) => ({
    status: 200,
    body: await readHold(ctx, params.tenantId, params.holdId),
  }),
});

export const transferHoldRoute = defineRoute({
  operationId: 'transferHold',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/holds/{holdId}/transfer',
  summary: 'Record that ICE took custody (late transfers are recorded and flagged)',
  tag: 'Holds',
  access: ['ice-liaison', 'jail-system'],
  params: holdParams,
  body: transferBody,
  idempotent: true,
  keyInFirstRead: true,
  responses: holdResponses(),
  problems: [
    'transition-not-allowed',
    'concurrent-modification',
    'transfer-before-service',
    'transferredAt-in-future',
  ],
  handle: async ({ params, body }, ctx) => {
    const hold = await transferHold(
      ctx.deps,
      params.tenantId,
      params.holdId,
      { transferredAt: new Date(body.transferredAt), receivingOfficer: body.receivingOfficer },
      ctx.caller,
      ctx.requestId,
    );
    return { status: 200, body: hold };
  },
});

export const releaseHoldRoute = defineRoute({
  operationId: 'releaseHold',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/holds/{holdId}/release',
  summary: 'Record the release of the person held (late releases are recorded and flagged)',
  tag: 'Holds',
  access: ['jail-system'],
  params: holdParams,
  body: releaseBody,
  idempotent: true,
  keyInFirstRead: true,
  responses: holdResponses(),
  problems: [
    'transition-not-allowed',
    'concurrent-modification',
    'release-before-service',
    'releasedAt-in-future',
  ],
  handle: async ({ params, body }, ctx) => {
    const hold = await releaseHold(
      ctx.deps,
      params.tenantId,
      params.holdId,
      new Date(body.releasedAt),
      ctx.caller,
      ctx.requestId,
    );
    return { status: 200, body: hold };
  },
});

export const reviewHoldRoute = defineRoute({
  operationId: 'reviewHold',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/holds/{holdId}/review',
  summary: 'Record the county\u2019s review of a late or overdue hold (clears needsReview)',
  tag: 'Holds',
  access: ['county-admin'],
  params: holdParams,
  body: reviewBody,
  idempotent: true,
  responses: holdResponses(),
  problems: ['review-not-needed', 'concurrent-modification'],
  handle: async ({ params, body }, ctx) => {
    const hold = await reviewHold(
      ctx.deps,
      params.tenantId,
      params.holdId,
      { reasonCode: body.reasonCode, ...(body.note !== undefined ? { note: body.note } : {}) },
      actorOf(ctx.principal),
      ctx.requestId,
    );
    return { status: 200, body: hold };
  },
});

export const holdEventsRoute = defineRoute({
  operationId: 'listHoldEvents',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/holds/{holdId}/events',
  summary: 'The hold\u2019s audit events, oldest first',
  tag: 'Holds',
  access: TENANT_ROLES,
  params: holdParams,
  keyInFirstRead: true,
  responses: { 200: { description: 'Audit events', schema: z.object({ items: z.array(holdEventSchema) }) } },
  problems: [],
  handle: async ({ params }, ctx) => {
    await readHold(ctx, params.tenantId, params.holdId);
    return {
      status: 200,
      body: { items: await listHoldEvents(ctx.deps.db, params.tenantId, params.holdId) },
    };
  },
});

export const releaseBookingRoute = defineRoute({
  operationId: 'releaseBooking',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/bookings/{bookingNumber}/release',
  summary: 'Release a booking; an open hold on it closes as RELEASED',
  tag: 'Custody',
  access: ['jail-system'],
  params: z.strictObject({ tenantId, bookingNumber: clientId('The booking number') }),
  body: releaseBody,
  idempotent: true,
  responses: {
    200: {
      description: 'Released',
      schema: z.object({
        bookingNumber: z.string(),
        status: z.literal('RELEASED'),
        releasedAt: z.string(),
        hold: holdSchema.optional(),
      }),
    },
  },
  problems: [
    ['booking-released', 409],
    'concurrent-modification',
    'release-before-booking',
    'releasedAt-in-future',
    'release-before-service',
    'transition-not-allowed',
  ],
  handle: async ({ params, body }, ctx) => ({
    status: 200,
    body: await releaseBooking(
      ctx.deps,
      params.tenantId,
      params.bookingNumber,
      new Date(body.releasedAt),
      actorOf(ctx.principal),
      ctx.requestId,
    ),
  }),
});

export const withdrawWarrantRoute = defineRoute({
  operationId: 'withdrawWarrant',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/warrants/{warrantId}/withdraw',
  summary: 'Withdraw a warrant; its ACTIVE or RELEASE_DUE hold is cancelled',
  tag: 'Custody',
  access: ['ice-liaison'],
  params: z.strictObject({ tenantId, warrantId: clientId('The warrant') }),
  body: withdrawBody,
  idempotent: true,
  responses: {
    200: {
      description: 'Withdrawn',
      schema: z.object({
        warrantId: z.string(),
        status: z.literal('WITHDRAWN'),
        withdrawnAt: z.string(),
        hold: holdSchema.optional(),
      }),
    },
  },
  problems: [['warrant-withdrawn', 409], 'concurrent-modification'],
  handle: async ({ params, body }, ctx) => ({
    status: 200,
    body: await withdrawWarrant(
      ctx.deps,
      params.tenantId,
      params.warrantId,
      body.reason,
      actorOf(ctx.principal),
      ctx.requestId,
    ),
  }),
});

export const holdRoutes = [
  serveWarrantRoute,
  listHoldsRoute,
  getHoldRoute,
  transferHoldRoute,
  releaseHoldRoute,
  reviewHoldRoute,
  holdEventsRoute,
  releaseBookingRoute,
  withdrawWarrantRoute,
];
