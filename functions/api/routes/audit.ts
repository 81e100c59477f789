import * as z from 'zod';
import type { AppDeps } from '../../../shared/app-deps.ts';
import { archivedCheckpointSchema, checkpointSchema, leafSchema } from '../../../shared/audit/checkpoint.ts';
import {
  CURRENT_STATE_KINDS,
  currentStatePrefix,
  currentStates,
} from '../../../shared/audit/current-state.ts';
import type { AuditPorts } from '../../../shared/audit/ports.ts';
import { sealedEvents } from '../../../shared/audit/sealed-events.ts';
import {
  listTenantAuditEvents,
  TENANT_AUDIT_EVENT_TYPES,
  TENANT_AUDIT_SK,
} from '../../../shared/audit/tenant-audit.ts';
import { VERIFY_REASONS, verifyTenantAudit } from '../../../shared/audit/verify-tenant.ts';
import { ROLES } from '../../../shared/auth/principal.ts';
import { decodePageToken, encodePageToken } from '../../../shared/http/page-token.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { instant, tenantId } from '../../../shared/schemas/common.ts';
import { listQuery, pageOf } from '../../../shared/schemas/list.ts';
import { CHECKPOINT_SK } from '../../../shared/store/checkpoints.ts';
import { tenantPk } from '../../../shared/store/keys.ts';

/** Tamper evidence (DESIGN.md §5): chains, current state and signed checkpoints, naming what is broken. */

const AUDIT_READERS = ['county-admin', 'state-oversight', 'platform-admin'] as const;

const brokenLink = z.object({
  chain: z
    .enum(['hold', 'entity', 'checkpoint'])
    .meta({ description: 'A hold\u2019s chain, another entity\u2019s chain, or the signed checkpoints' }),
  holdId: z.string().optional(),
  entity: z.object({ kind: z.string(), id: z.string() }).optional(),
  seq: z
    .number()
    .int()
    .meta({ description: 'The event\u2019s seq in its chain, or the checkpoint\u2019s seq' }),
  eventId: z.string().optional().meta({ description: 'Absent when the broken link is a missing event' }),
  ref: z.string().optional().meta({ description: 'Where a sealed event is stored (its sort key)' }),
  reason: z.enum(VERIFY_REASONS),
  detail: z.string(),
});

const verifyResult = z
  .object({
    ok: z.boolean(),
    checked: z.number().int().meta({ description: 'Audit events verified' }),
    holds: z.number().int().meta({ description: 'Hold chains verified' }),
    entities: z.number().int().meta({ description: 'Other entity chains verified' }),
    checkpoints: z.number().int().meta({ description: 'Signed, archived checkpoints verified' }),
    unsealed: z.number().int().meta({ description: 'Events not yet sealed (each is within a minute)' }),
    firstBroken: brokenLink.optional(),
    broken: z.array(brokenLink).optional().meta({ description: 'Everything found broken (at most 50)' }),
  })
  .meta({ id: 'AuditVerification' });

const auditPorts = (deps: AppDeps): AuditPorts => {
  if (!deps.audit) throw new Error('the audit signer and archive are not configured');
  return deps.audit;
};

export const verifyAuditRoute = defineRoute({
  operationId: 'verifyAudit',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/audit/verify',
  summary:
    'Verify every audit chain of the county, each entity\u2019s current state, and all of it against the signed, archived checkpoints',
  tag: 'Audit',
  access: ['county-admin', 'state-oversight'],
  params: z.strictObject({ tenantId }),
  responses: { 200: { description: 'The verification result', schema: verifyResult } },
  problems: [],
  handle: async ({ params }, { deps }) => ({
    status: 200,
    body: await verifyTenantAudit(deps.db, params.tenantId, auditPorts(deps)),
  }),
});

const publicJwk = z
  .object({
    kty: z.literal('EC'),
    crv: z.literal('P-256'),
    x: z.string(),
    y: z.string(),
    kid: z.string().meta({ description: 'RFC 7638 thumbprint; checkpoints name it as keyId' }),
    alg: z.literal('ES256'),
    use: z.literal('sig'),
  })
  .meta({ id: 'AuditPublicKey' });

export const auditPublicKeyRoute = defineRoute({
  operationId: 'getAuditPublicKey',
  method: 'GET',
  path: '/v1/audit/public-key',
  summary: 'The public keys audit checkpoints are signed with (JWK set)',
  tag: 'Audit',
  access: ROLES,
  responses: {
    200: {
      description: 'A JWK set',
      schema: z.object({ keys: z.array(publicJwk) }).meta({ id: 'AuditKeySet' }),
    },
  },
  problems: [],
  handle: async (_input, { deps }) => ({
    status: 200,
    body: { keys: [await auditPorts(deps).signer.publicKey()] },
  }),
});

const checkpointListItem = checkpointSchema
  .extend({
    leaves: z.array(leafSchema).meta({
      description:
        'The sealed events: where each is stored and its hash (the Merkle tree\u2019s leaves, in order)',
    }),
  })
  .meta({ id: 'AuditCheckpoint' });

export const listCheckpointsRoute = defineRoute({
  operationId: 'listAuditCheckpoints',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/audit/checkpoints',
  summary: 'The county\u2019s signed audit checkpoints from the archive, oldest first',
  tag: 'Audit',
  access: AUDIT_READERS,
  params: z.strictObject({ tenantId }),
  query: listQuery,
  responses: {
    200: { description: 'A page of checkpoints', schema: pageOf(checkpointListItem, 'AuditCheckpointPage') },
  },
  problems: [],
  handle: async ({ params, query }, { deps }) => {
    const pk = tenantPk(params.tenantId);
    const after = query.nextToken
      ? Number(
          String(decodePageToken(query.nextToken, pk, CHECKPOINT_SK.prefix).sk).slice(
            CHECKPOINT_SK.prefix.length,
          ),
        )
      : 0;
    const raw = await auditPorts(deps).archive.list(params.tenantId, after, query.limit + 1);
    const items = raw.slice(0, query.limit).map((item) => {
      const { checkpoint, leaves } = archivedCheckpointSchema.parse(item);
      return { ...checkpoint, leaves };
    });
    const last = items.at(-1);
    return {
      status: 200,
      body: {
        items,
        ...(raw.length > query.limit && last
          ? { nextToken: encodePageToken({ pk, sk: CHECKPOINT_SK.item(last.seq) }) }
          : {}),
      },
    };
  },
});

export const checkpointEventsRoute = defineRoute({
  operationId: 'listAuditCheckpointEvents',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/audit/checkpoints/{seq}/events',
  summary:
    'The events one checkpoint sealed, as stored now (null where one is gone): for inclusion checks by an offline verifier',
  tag: 'Audit',
  access: AUDIT_READERS,
  params: z.strictObject({ tenantId, seq: z.coerce.number().int().min(1).max(999_999_999_999) }),
  responses: {
    200: {
      description: 'The sealed events in leaf order',
      schema: z
        .object({
          seq: z.number().int(),
          events: z.array(z.object({ ref: z.string(), event: z.record(z.string(), z.unknown()).nullable() })),
        })
        .meta({ id: 'AuditCheckpointEvents' }),
    },
  },
  problems: [],
  handle: async ({ params }, { deps }) => {
    const [raw] = await auditPorts(deps).archive.list(params.tenantId, params.seq - 1, 1);
    const parsed = raw === undefined ? undefined : archivedCheckpointSchema.parse(raw);
    if (!parsed || parsed.checkpoint.seq !== params.seq) throw problems.notFound('The checkpoint');
    return {
      status: 200,
      body: { seq: params.seq, events: await sealedEvents(deps.db, params.tenantId, parsed.leaves) },
    };
  },
});

export const currentStateRoute = defineRoute({
  operationId: 'listAuditCurrentState',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/audit/current-state',
  summary:
    'Each entity\u2019s chain head (of one kind) and the hash of its state as stored now (bookings: of the person data, never the values; never secrets)',
  tag: 'Audit',
  access: AUDIT_READERS,
  params: z.strictObject({ tenantId }),
  query: listQuery.extend({ kind: z.enum(CURRENT_STATE_KINDS) }),
  responses: {
    200: {
      description: 'A page of entities',
      schema: pageOf(
        z.object({ id: z.string(), seq: z.number().int(), hash: z.string(), stateHash: z.string() }),
        'AuditCurrentStatePage',
      ),
    },
  },
  problems: [],
  handle: async ({ params, query }, { deps }) => {
    const pk = tenantPk(params.tenantId);
    const prefix = currentStatePrefix(query.kind);
    const page = await currentStates(deps.db, params.tenantId, query.kind, {
      limit: query.limit,
      ...(query.nextToken ? { startKey: decodePageToken(query.nextToken, pk, prefix) } : {}),
    });
    return {
      status: 200,
      body: { items: page.items, ...(page.nextKey ? { nextToken: encodePageToken(page.nextKey) } : {}) },
    };
  },
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
    personDataHash: z
      .string()
      .optional()
      .meta({ description: 'SHA-256 of the entity\u2019s person data after the change (never the values)' }),
    stateHash: z.string().meta({ description: 'SHA-256 of the entity\u2019s state after the change' }),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'TenantAuditEvent' });

export const listAuditEventsRoute = defineRoute({
  operationId: 'listAuditEvents',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/audit/events',
  summary:
    'The county\u2019s own audit events (every change that is not a hold transition, one chain per entity), oldest first',
  tag: 'Audit',
  access: ['county-admin'],
  params: z.strictObject({ tenantId }),
  query: listQuery,
  responses: {
    200: { description: 'A page of audit events', schema: pageOf(tenantAuditEvent, 'TenantAuditEventPage') },
  },
  problems: [],
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

export const auditRoutes = [
  verifyAuditRoute,
  listAuditEventsRoute,
  auditPublicKeyRoute,
  listCheckpointsRoute,
  checkpointEventsRoute,
  currentStateRoute,
];
