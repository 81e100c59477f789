import * as z from 'zod';
import type { Principal } from '../../../shared/auth/principal.ts';
import { decodePageToken, encodePageToken } from '../../../shared/http/page-token.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { tenantId, ulid } from '../../../shared/schemas/common.ts';
import { listQuery } from '../../../shared/schemas/list.ts';
import type { Actor } from '../../../shared/store/holds.ts';
import { tenantPk } from '../../../shared/store/keys.ts';
import {
  deliveryPrefix,
  listDeliveries,
  publicDelivery,
  startNewRound,
} from '../../../shared/store/webhook-deliveries.ts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  MAX_WEBHOOKS_PER_TENANT,
  publicWebhook,
} from '../../../shared/store/webhook-subscriptions.ts';
import { toIsoSeconds } from '../../../shared/util/time.ts';
import {
  createdWebhookSchema,
  createWebhookBody,
  deliveryPage,
  redeliverResponse,
  webhookList,
  webhookSchema,
} from '../../../shared/webhooks/schemas.ts';
import { checkWebhookUrl } from '../../../shared/webhooks/url-policy.ts';

/** Webhook subscriptions, their delivery log and redelivery (API.md "Webhooks and audit"). */

const ADMIN = ['county-admin'] as const;
const tenantParams = z.strictObject({ tenantId });
const webhookParams = z.strictObject({ tenantId, webhookId: ulid });
const deliveryParams = z.strictObject({ tenantId, webhookId: ulid, deliveryId: ulid });

const actorOf = (principal: Principal | undefined): Actor => ({
  kind: 'credential',
  keyId: principal?.keyId ?? 'unknown',
  role: principal?.role ?? 'unknown',
});

export const createWebhookRoute = defineRoute({
  operationId: 'createWebhook',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/webhooks',
  summary: 'Subscribe a receiver to events (the signing secret is shown once)',
  tag: 'Webhooks',
  access: ADMIN,
  params: tenantParams,
  body: createWebhookBody,
  idempotent: true,
  responses: {
    201: { description: 'The subscription and its secret, shown once', schema: createdWebhookSchema },
  },
  problems: ['webhook-limit-reached'],
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const verdict = checkWebhookUrl(body.url, { local: deps.config.local });
    if (!verdict.ok) throw problems.validation([{ path: 'body.url', message: verdict.reason }]);
    const result = await createWebhook(
      deps,
      params.tenantId,
      {
        url: verdict.url.href,
        events: body.events,
        ...(body.description ? { description: body.description } : {}),
      },
      { actor: actorOf(principal), requestId },
    );
    if (result.kind === 'tenant-not-found') throw problems.notFound('The tenant');
    if (result.kind === 'limit-reached') {
      throw problems.rule(
        'webhook-limit-reached',
        `A county may have at most ${MAX_WEBHOOKS_PER_TENANT} webhook subscriptions.`,
      );
    }
    const { webhook, secret } = result;
    return {
      status: 201,
      body: { ...webhook, secret },
      headers: { location: `/v1/tenants/${params.tenantId}/webhooks/${webhook.webhookId}` },
    };
  },
});

export const listWebhooksRoute = defineRoute({
  operationId: 'listWebhooks',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/webhooks',
  summary: 'List the county\u2019s webhook subscriptions (secrets are never shown again)',
  tag: 'Webhooks',
  access: ADMIN,
  params: tenantParams,
  responses: { 200: { description: 'Subscriptions, oldest first', schema: webhookList } },
  problems: [],
  handle: async ({ params }, { deps }) => ({
    status: 200,
    body: { items: (await listWebhooks(deps.db, params.tenantId)).map(publicWebhook) },
  }),
});

export const getWebhookRoute = defineRoute({
  operationId: 'getWebhook',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/webhooks/{webhookId}',
  summary: 'Read a webhook subscription',
  tag: 'Webhooks',
  access: ADMIN,
  params: webhookParams,
  responses: { 200: { description: 'The subscription', schema: webhookSchema } },
  problems: [],
  handle: async ({ params }, { deps }) => {
    const found = await getWebhook(deps.db, params.tenantId, params.webhookId);
    if (!found) throw problems.notFound('The webhook');
    return { status: 200, body: publicWebhook(found) };
  },
});

export const deleteWebhookRoute = defineRoute({
  operationId: 'deleteWebhook',
  method: 'DELETE',
  path: '/v1/tenants/{tenantId}/webhooks/{webhookId}',
  summary: 'Delete a subscription; deliveries still queued for it are dropped',
  tag: 'Webhooks',
  access: ADMIN,
  params: webhookParams,
  responses: { 204: { description: 'Deleted' } },
  problems: [],
  handle: async ({ params }, { deps, principal, requestId }) => {
    const deleted = await deleteWebhook(deps, params.tenantId, params.webhookId, {
      actor: actorOf(principal),
      requestId,
    });
    if (!deleted) throw problems.notFound('The webhook');
    return { status: 204 };
  },
});

export const listDeliveriesRoute = defineRoute({
  operationId: 'listWebhookDeliveries',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/webhooks/{webhookId}/deliveries',
  summary: 'The delivery log of a subscription, newest first',
  tag: 'Webhooks',
  access: ADMIN,
  params: webhookParams,
  query: listQuery,
  responses: { 200: { description: 'A page of deliveries', schema: deliveryPage } },
  problems: [],
  handle: async ({ params, query }, { deps }) => {
    if (!(await getWebhook(deps.db, params.tenantId, params.webhookId)))
      throw problems.notFound('The webhook');
    const page = await listDeliveries(deps.db, params.tenantId, params.webhookId, {
      limit: query.limit,
      ...(query.nextToken
        ? {
            startKey: decodePageToken(
              query.nextToken,
              tenantPk(params.tenantId),
              deliveryPrefix(params.webhookId),
            ),
          }
        : {}),
    });
    return {
      status: 200,
      body: {
        items: page.items.map(publicDelivery),
        ...(page.nextKey ? { nextToken: encodePageToken(page.nextKey) } : {}),
      },
    };
  },
});

export const redeliverRoute = defineRoute({
  operationId: 'redeliverWebhookDelivery',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
  summary: 'Send a delivery again (same event id and body, a fresh round of attempts)',
  tag: 'Webhooks',
  access: ADMIN,
  params: deliveryParams,
  idempotent: true,
  responses: { 202: { description: 'Queued', schema: redeliverResponse } },
  problems: [],
  handle: async ({ params }, { deps, principal, requestId }) => {
    if (!(await getWebhook(deps.db, params.tenantId, params.webhookId)))
      throw problems.notFound('The webhook');
    const delivery = await startNewRound(
      deps,
      params.tenantId,
      params.webhookId,
      params.deliveryId,
      toIsoSeconds(deps.clock.now()),
      { actor: actorOf(principal), requestId },
    );
    if (!delivery) throw problems.notFound('The delivery');
    await deps.deliveries.enqueue({
      tenantId: params.tenantId,
      webhookId: params.webhookId,
      deliveryId: params.deliveryId,
      round: delivery.round,
    });
    return {
      status: 202,
      body: { deliveryId: delivery.deliveryId, round: delivery.round, status: 'PENDING' },
    };
  },
});

export const webhookRoutes = [
  createWebhookRoute,
  listWebhooksRoute,
  getWebhookRoute,
  deleteWebhookRoute,
  listDeliveriesRoute,
  redeliverRoute,
];
