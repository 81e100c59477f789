import type * as z from 'zod';
import { IDEMPOTENCY_KEY_PATTERN } from '../http/idempotency.ts';
import type { AnyRoute, ResponseSpec } from '../http/route.ts';
import { type JsonSchema, SchemaComponents } from './json-schema.ts';
import { describeProblems, problemDetails, routeProblems } from './problem-responses.ts';

/**
 * The OpenAPI 3.1 document, generated from the route table and the very zod schemas the pipeline
 * validates with, so the contract vendors read cannot drift from what the handlers accept.
 */
export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

export interface OpenApiDocument {
  openapi: string;
  info: OpenApiInfo;
  tags: { name: string }[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: Record<string, Record<string, JsonSchema>>;
  security: Record<string, string[]>[];
}

const BEARER = 'bearerApiKey';
const REQUEST_ID_HEADER = { $ref: '#/components/headers/RequestId' };

export function buildOpenApiDocument(routes: readonly AnyRoute[], info: OpenApiInfo): OpenApiDocument {
  const schemas = new SchemaComponents();
  const problem = schemas.toSchema(problemDetails, 'output');
  // Responses first: a component id then names the response shape, and a request schema that
  // converts differently under the same id is documented as `<id>Input`.
  for (const route of routes) {
    for (const spec of Object.values(route.responses as Record<string, ResponseSpec>)) {
      if (spec.schema) schemas.toSchema(spec.schema, 'output');
    }
  }
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    const item = paths[route.path];
    if (item) item[route.method.toLowerCase()] = operation(route, schemas, problem);
  }
  return {
    openapi: '3.1.1',
    info,
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: schemas.schemas,
      securitySchemes: {
        [BEARER]: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key: `Authorization: Bearer <key>`. Each key has one role and belongs to one tenant, one state or the platform.',
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Retry safely: the same key and body within 24 h returns the first response again (with `idempotent-replayed: true`); the same key with another body is 422.',
          schema: { type: 'string', minLength: 1, maxLength: 128, pattern: IDEMPOTENCY_KEY_PATTERN.source },
        },
      },
      headers: {
        RequestId: { description: 'Identifies the request in logs and audit', schema: { type: 'string' } },
        IdempotentReplayed: {
          description: 'Present (`true`) when this is the stored response of an earlier request',
          schema: { type: 'string', enum: ['true'] },
        },
      },
    },
    security: [{ [BEARER]: [] }],
  };
}

function operation(route: AnyRoute, schemas: SchemaComponents, problem: JsonSchema): JsonSchema {
  const roles = route.access === 'public' ? [] : [...route.access];
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: roles.length > 0 ? `Roles: ${roles.join(', ')}.` : 'Public: no API key needed.',
    tags: [route.tag],
    ...(roles.length > 0 ? { 'x-roles': roles } : { security: [] }),
    ...withParameters([
      ...parameters(route, schemas),
      ...(route.idempotent ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
    ]),
    ...(route.body ? { requestBody: requestBody(route, route.body, schemas) } : {}),
    responses: responses(route, schemas, problem),
  };
}

/** JSON by default; a route with `bodyFormats` documents each of its media types. */
function requestBody(route: AnyRoute, body: z.ZodType, schemas: SchemaComponents): JsonSchema {
  if (!route.bodyFormats) {
    return { required: true, content: { 'application/json': { schema: schemas.toSchema(body, 'input') } } };
  }
  const content: JsonSchema = {};
  for (const [mediaType, format] of Object.entries(route.bodyFormats)) {
    const schema = format.schema
      ? schemas.toSchema(format.schema, 'input')
      : /[/+]json$/.test(mediaType)
        ? schemas.toSchema(body, 'input')
        : { type: 'string', description: format.description };
    content[mediaType] = { schema, ...(format.example !== undefined ? { example: format.example } : {}) };
  }
  return { required: true, description: describeFormats(route.bodyFormats), content };
}

const describeFormats = (formats: NonNullable<AnyRoute['bodyFormats']>): string =>
  Object.entries(formats)
    .map(([mediaType, format]) => `\`${mediaType}\`: ${format.description}`)
    .join('\n\n');

/** Path parameters in template order, then query parameters, from the route's strict zod objects. */
function parameters(route: AnyRoute, schemas: SchemaComponents): JsonSchema[] {
  const pathSchema = route.params ? schemas.toSchema(route.params, 'input') : {};
  const querySchema = route.query ? schemas.toSchema(route.query, 'input') : {};
  const pathNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
  const requiredQuery = new Set(asStrings(querySchema.required));
  return [
    ...pathNames.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: property(pathSchema, name) ?? { type: 'string' },
    })),
    ...Object.keys(properties(querySchema)).map((name) => ({
      name,
      in: 'query',
      required: requiredQuery.has(name),
      schema: property(querySchema, name) ?? {},
    })),
  ];
}

function responses(route: AnyRoute, schemas: SchemaComponents, problem: JsonSchema): JsonSchema {
  const declared = Object.entries(route.responses as Record<string, ResponseSpec>);
  const problems = routeProblems(route);
  const out: JsonSchema = {};
  for (const [status, spec] of declared) {
    const code = Number(status);
    if (code >= 400) {
      // A route's own free-text 4xx (routes that do not list `problems` yet) adds to the pipeline's.
      const slugs = problems.get(code) ?? [];
      problems.delete(code);
      out[status] = problemResponse(
        slugs.length > 0 ? `${spec.description}; or ${describeProblems(slugs)}` : spec.description,
        problem,
        slugs,
      );
    } else {
      out[status] = successResponse(route, spec, schemas);
    }
  }
  for (const [code, slugs] of problems) {
    out[String(code)] = problemResponse(describeProblems(slugs), problem, slugs);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)));
}

function successResponse(route: AnyRoute, spec: ResponseSpec, schemas: SchemaComponents): JsonSchema {
  const headers = {
    'x-request-id': REQUEST_ID_HEADER,
    ...(route.idempotent
      ? { 'idempotent-replayed': { $ref: '#/components/headers/IdempotentReplayed' } }
      : {}),
  };
  if (!spec.schema && !spec.contentType) return { description: spec.description, headers };
  const schema = spec.schema ? schemas.toSchema(spec.schema, 'output') : { type: 'string' };
  return {
    description: spec.description,
    headers,
    content: { [spec.contentType ?? 'application/json']: { schema } },
  };
}

const withParameters = (list: JsonSchema[]): { parameters?: JsonSchema[] } =>
  list.length > 0 ? { parameters: list } : {};

/** `x-problem-types`: the catalogue slugs this status can carry (machine-readable; tests compare them). */
const problemResponse = (description: string, schema: JsonSchema, slugs: readonly string[]): JsonSchema => ({
  description,
  headers: { 'x-request-id': REQUEST_ID_HEADER },
  content: { 'application/problem+json': { schema } },
  ...(slugs.length > 0 ? { 'x-problem-types': [...slugs] } : {}),
});

const properties = (schema: JsonSchema): Record<string, JsonSchema> =>
  (schema.properties ?? {}) as Record<string, JsonSchema>;

const property = (schema: JsonSchema, name: string): JsonSchema | undefined => properties(schema)[name];

const asStrings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
