import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { apiRoutes } from '../../functions/api/routes/index.ts';
import { isProblemSlug } from '../../shared/errors/catalogue.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { buildOpenApiDocument } from '../../shared/openapi/document.ts';
import { routeProblems } from '../../shared/openapi/problem-responses.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

/** The OpenAPI 3.1 document: valid, complete, and generated from the same route table the router serves. */

const runtime = useRuntime();
const api = () => new ApiClient(runtime().url);

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  security?: unknown[];
  parameters?: Json[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema: Json }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json> };
}

async function fetchDocument(): Promise<Document> {
  const response = await api().get<Document>('/v1/openapi.json');
  expect(response.status, response.text).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  return response.body;
}

/** Validates against the official OpenAPI 3.1 JSON Schema and resolves every $ref. */
async function expectValid(document: unknown): Promise<void> {
  const validator = new Validator();
  // The validator dereferences in place: give it its own copy.
  const result = await validator.validate(structuredClone(document) as Json);
  expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined();
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
  expect(() => validator.resolveRefs()).not.toThrow();
}

const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );

describe('GET /v1/openapi.json', () => {
  it('serves a valid OpenAPI 3.1 document without a key', async () => {
    const document = await fetchDocument();
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    await expectValid(document);
    // The validator is not a rubber stamp: the same document with a broken operation fails.
    const broken = structuredClone(document);
    (broken.paths['/v1/health'] as Record<string, unknown>).get = { responses: { 200: {} } };
    expect((await new Validator().validate(broken as unknown as Json)).valid).toBe(false);
  });

  it('documents exactly the routes the router serves, so no route can go undocumented', async () => {
    const document = await fetchDocument();
    const documented = operations(document).map(({ method, path }) => `${method} ${path}`);
    const served = apiRoutes.map((route) => `${route.method} ${route.path}`);
    expect(documented.sort()).toEqual(served.sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('gives every operation its id, summary, tag, security, parameters and problem responses', async () => {
    const document = await fetchDocument();
    expect(document.components.schemas.Problem).toBeDefined();
    const byKey = new Map(apiRoutes.map((route) => [`${route.method} ${route.path}`, route]));
    const operationIds = new Set<string>();
    for (const { path, method, operation } of operations(document)) {
      const route = byKey.get(`${method} ${path}`);
      if (!route) throw new Error(`${method} ${path} is not a route`);
      const where = `${method} ${path}`;
      expect(operation.operationId, where).toBe(route.operationId);
      expect(operationIds.has(operation.operationId), `${where}: duplicate operationId`).toBe(false);
      operationIds.add(operation.operationId);
      expect(operation.summary, where).toBe(route.summary);
      expect(operation.tags, where).toEqual([route.tag]);

      const codes = Object.keys(operation.responses);
      expect(
        codes.some((code) => Number(code) < 300),
        `${where}: a success response`,
      ).toBe(true);
      expect(codes, where).toContain('400');
      if (route.access === 'public') {
        expect(operation.security, where).toEqual([]);
      } else {
        expect(operation.security, `${where} uses the global bearer scheme`).toBeUndefined();
        expect(codes, where).toEqual(expect.arrayContaining(['401', '403']));
      }

      const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const inPath = (operation.parameters ?? [])
        .filter((parameter) => parameter.in === 'path')
        .map((p) => p.name);
      expect(inPath, where).toEqual(pathNames);
      if (pathNames.length > 0) expect(codes, where).toContain('404');

      const idempotencyHeader = (operation.parameters ?? []).some(
        (parameter) => parameter.$ref === '#/components/parameters/IdempotencyKey',
      );
      expect(idempotencyHeader, `${where}: Idempotency-Key`).toBe(route.idempotent === true);
      if (route.idempotent) expect(codes, where).toEqual(expect.arrayContaining(['409', '422']));

      expect(operation.requestBody !== undefined, `${where}: request body`).toBe(route.body !== undefined);
      if (route.body) expect(codes, where).toEqual(expect.arrayContaining(['413', '415']));

      for (const [code, response] of Object.entries(operation.responses)) {
        if (Number(code) < 400) continue;
        expect(response.content?.['application/problem+json']?.schema, `${where} ${code}`).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
    }
  });

  it('lists per operation and status exactly the catalogue problems its route can answer, and names no problem outside the catalogue', async () => {
    const document = await fetchDocument();
    for (const route of apiRoutes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()] as Operation;
      const expected = routeProblems(route);
      for (const [code, response] of Object.entries(operation.responses)) {
        if (Number(code) < 400) continue;
        const where = `${route.operationId} ${code}`;
        const listed = (response as { 'x-problem-types'?: string[] })['x-problem-types'] ?? [];
        expect(listed, where).toEqual(expected.get(Number(code)) ?? []);
        for (const slug of listed) expect(isProblemSlug(slug), `${where}: ${slug}`).toBe(true);
        // Free text may name slugs too (routes not listing `problems` yet): those must be catalogued.
        const named = [
          ...String((response as { description?: string }).description).matchAll(/`([a-z][\w-]*)`/g),
        ];
        for (const [, slug] of named) {
          if (slug && /-/.test(slug)) expect(isProblemSlug(slug), `${where} names \`${slug}\``).toBe(true);
        }
      }
      for (const code of expected.keys())
        expect(operation.responses, route.operationId).toHaveProperty(String(code));
    }
  });

  it('describes request bodies as the handlers validate them: strict, and with no immigration fields', async () => {
    const document = await fetchDocument();
    const { schemas } = document.components;
    const putBooking = document.paths['/v1/tenants/{tenantId}/bookings/{bookingNumber}']?.put;
    expect(putBooking?.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/PutBooking',
    });
    expect(schemas.PutBooking).toMatchObject({
      additionalProperties: false,
      required: ['facilityId', 'bookedAt', 'person'],
    });
    expect(schemas.BookingPerson).toMatchObject({ additionalProperties: false });
    expect(Object.keys(schemas.BookingPerson?.properties as Json).sort()).toEqual(
      ['dateOfBirth', 'fbiNumber', 'firstName', 'lastName', 'stateId'].sort(),
    );
    expect(JSON.stringify(document)).not.toMatch(/citizenship|nationality|countryOfBirth|immigrationStatus/i);

    const listOfficers = document.paths['/v1/tenants/{tenantId}/officers']?.get;
    expect(listOfficers?.parameters?.filter((parameter) => parameter.in === 'query')).toEqual([
      expect.objectContaining({
        name: 'limit',
        required: false,
        schema: expect.objectContaining({ maximum: 100 }),
      }),
      expect.objectContaining({ name: 'nextToken', required: false }),
    ]);
  });
});

describe('the generator', () => {
  it('documents any route shape: required query, text responses, 204, and a schema used both ways', async () => {
    // One id used for a request (input: `size` optional thanks to its default) and a response
    // (output: `size` always present) converts differently: the request's copy is `<id>Input`.
    const widget = z
      .strictObject({ name: z.string(), size: z.number().int().default(1) })
      .meta({ id: 'TestWidget' });
    const routes = [
      defineRoute({
        operationId: 'putWidget',
        method: 'PUT',
        path: '/v1/widgets/{widgetId}',
        summary: 'Put a widget',
        tag: 'Test',
        access: ['county-admin'],
        params: z.strictObject({ widgetId: z.string() }),
        query: z.strictObject({ format: z.enum(['json', 'csv']), dryRun: z.string().optional() }),
        body: widget,
        idempotent: true,
        responses: {
          200: { description: 'The widget', schema: widget },
          201: { description: 'As CSV', contentType: 'text/csv' },
          409: { description: '`widget-locked`' },
        },
        handle: async () => ({ status: 200 }),
      }),
      defineRoute({
        operationId: 'deleteWidget',
        method: 'DELETE',
        path: '/v1/widgets/{widgetId}',
        summary: 'Delete a widget',
        tag: 'Test',
        access: 'public',
        responses: { 204: { description: 'Deleted' } },
        handle: async () => ({ status: 204 }),
      }),
    ];
    const document = buildOpenApiDocument(routes, { title: 'Test', version: '0.0.0' }) as unknown as Document;
    await expectValid(document);

    const put = document.paths['/v1/widgets/{widgetId}']?.put as Operation;
    expect(put.parameters).toEqual([
      { name: 'widgetId', in: 'path', required: true, schema: { type: 'string' } },
      expect.objectContaining({ name: 'format', in: 'query', required: true }),
      expect.objectContaining({ name: 'dryRun', in: 'query', required: false }),
      { $ref: '#/components/parameters/IdempotencyKey' },
    ]);
    expect(put.requestBody?.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/TestWidgetInput',
    });
    expect(put.responses['200']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/TestWidget',
    });
    expect(document.components.schemas.TestWidget?.required).toEqual(['name', 'size']);
    expect(document.components.schemas.TestWidgetInput?.required).toEqual(['name']);
    expect(put.responses['201']?.content?.['text/csv']?.schema).toEqual({ type: 'string' });
    expect(Object.keys(put.responses)).toEqual([
      '200',
      '201',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '422',
      '503',
    ]);

    const remove = document.paths['/v1/widgets/{widgetId}']?.delete as Operation;
    expect(remove.security).toEqual([]);
    expect(remove.responses['204']).not.toHaveProperty('content');
    // Even a public route can run out of time (request-timed-out, 503).
    expect(Object.keys(remove.responses)).toEqual(['204', '400', '404', '503']);
  });

  it('refuses two different schemas under one component id rather than documenting one of them wrongly', () => {
    // zod's registry lets two schemas carry one id; only a single conversion would notice.
    const route = (operationId: string, body: z.ZodType) =>
      defineRoute({
        operationId,
        method: 'POST',
        path: `/v1/${operationId}`,
        summary: operationId,
        tag: 'Test',
        access: 'public',
        body,
        responses: { 204: { description: 'Done' } },
        handle: async () => ({ status: 204 }),
      });
    const routes = [
      route('first', z.strictObject({ a: z.string() }).meta({ id: 'TestClash' })),
      route('second', z.strictObject({ b: z.string() }).meta({ id: 'TestClash' })),
    ];
    expect(() => buildOpenApiDocument(routes, { title: 't', version: '0' })).toThrow(
      'two different schemas claim the OpenAPI component id "TestClash"',
    );
  });
});
