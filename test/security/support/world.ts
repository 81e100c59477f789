import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { LocalRuntime } from '../../../local/runtime.ts';
import { type County, onboardCounty, serveHold } from '../../support/custody.ts';
import { issueKey } from '../../support/fixtures.ts';
import type { Hint, JsonSchema } from './openapi.ts';

/**
 * A county with one real resource of every kind a path can name (hold, booking, warrant, officer,
 * facility, webhook, delivery, API key), so requests in the matrix point at things that exist.
 */
export interface World {
  county: County;
  /** Path parameter values that name real resources of this county. */
  ids: Record<string, string>;
  /** Property hints for request bodies: this county's ids, a receiver URL, sensible dates. */
  hint: Hint;
  /** Creates a throwaway resource for a parameter a successful call would destroy (DELETE). */
  fresh: Record<string, () => Promise<string>>;
}

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

export interface Request {
  method: string;
  path: string;
  /** A key sent as `Authorization: Bearer <key>`. */
  key?: string;
  /** A raw Authorization header (malformed credentials). */
  authorization?: string;
  /** JSON-encoded. */
  body?: unknown;
  /** Sent as is (malformed JSON, oversized, invalid UTF-8). */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
}

/** Real HTTP with a deadline: a request that hangs fails the test instead of stalling it. */
export async function send(baseUrl: string, request: Request, timeoutMs = 10_000): Promise<Response> {
  const headers: Record<string, string> = { ...(request.headers ?? {}) };
  if (request.key) headers.authorization = `Bearer ${request.key}`;
  if (request.authorization !== undefined) headers.authorization = request.authorization;
  let body: string | Uint8Array | undefined = request.rawBody;
  if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(baseUrl + request.path, {
    method: request.method,
    headers,
    signal: AbortSignal.timeout(timeoutMs),
    // The answer of the route itself: sign-in's redirect to the identity provider is not followed.
    redirect: 'manual',
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** A webhook receiver on 127.0.0.1 that answers 200 (the local runtime allows http://127.0.0.1). */
export async function startReceiver(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end('ok'));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/wso`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

const DATE_HINTS: Record<string, string> = {
  backgroundCheckPassedOn: '2026-01-05',
  trainedOn: '2026-01-10',
  expiresOn: '2028-01-10',
  dateOfBirth: '1990-04-01',
  wsoMoaSignedOn: '2019-05-01',
};

/** Onboards a county (FL) with keys of every tenant role and one real resource of every kind. */
export async function buildWorld(
  runtime: LocalRuntime,
  tenantId: string,
  receiverUrl: string,
): Promise<World> {
  const county = await onboardCounty(runtime, tenantId);
  const { api, admin } = county;
  const base = `/v1/tenants/${tenantId}`;
  const subscribe = async (): Promise<string> => {
    const created = await api.post<{ webhookId: string }>(`${base}/webhooks`, {
      key: admin,
      body: { url: receiverUrl, events: ['hold.created'] },
    });
    expect(created.status, created.text).toBe(201);
    return created.body.webhookId;
  };
  const webhookId = await subscribe();
  // Served after the subscription, so the hold's outbox event becomes a delivery of it.
  const hold = await serveHold(county, '2026-11-24T02:00:00Z');
  await runtime.drainStreams();
  const log = await api.get<{ items: { deliveryId: string }[] }>(`${base}/webhooks/${webhookId}/deliveries`, {
    key: admin,
  });
  expect(log.status, log.text).toBe(200);
  const deliveryId = log.body.items[0]?.deliveryId;
  if (!deliveryId) throw new Error(`no delivery for ${tenantId}`);
  const newKey = async () => (await issueKey(api, admin, tenantId, 'jail-system')).keyId;

  const ids: Record<string, string> = {
    tenantId,
    holdId: hold.holdId,
    bookingNumber: hold.bookingNumber,
    warrantId: hold.warrantId,
    officerId: county.officerId,
    facilityId: county.facilityId,
    webhookId,
    deliveryId,
    keyId: await newKey(),
  };
  const hint: Hint = (name: string, schema: JsonSchema) => {
    if (name === 'tenantId') return undefined; // a body's tenantId names a new tenant: derive one
    if (name in ids) return ids[name];
    if (name === 'facilityIds') return [county.facilityId];
    if (name === 'url') return receiverUrl;
    if (schema.format === 'date' && name in DATE_HINTS) return DATE_HINTS[name];
    return undefined;
  };
  return { county, ids, hint, fresh: { keyId: newKey, webhookId: subscribe } };
}

/** Every item of one partition, in key order (a Query: what a tenant owns). */
export async function partition(runtime: LocalRuntime, pk: string): Promise<Record<string, unknown>[]> {
  const { db } = runtime.deps;
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The whole table, sorted by key (tests only: no request path may Scan). */
export async function scanTable(runtime: LocalRuntime): Promise<Map<string, string>> {
  const { db } = runtime.deps;
  const items = new Map<string, string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new ScanCommand({
        TableName: db.tableName,
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) items.set(`${item.pk}|${item.sk}`, canonical(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** What changed between two scans: added, removed and modified item keys. */
export function tableDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [key, value] of after) {
    if (!before.has(key)) changes.push(`added ${key}: ${value.slice(0, 300)}`);
    else if (before.get(key) !== value) changes.push(`changed ${key}: ${value.slice(0, 300)}`);
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push(`removed ${key}`);
  return changes;
}

/** JSON with sorted keys (sets become sorted arrays), so equal items compare equal as strings. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Set) return [...item].map(String).sort();
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return item;
  });
}
