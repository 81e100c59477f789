import fc from 'fast-check';
import type { AnyRoute, HttpMethod } from '../../../shared/http/route.ts';

/**
 * Reading the served OpenAPI document as data: its operations, its JSON Schemas, a minimal valid
 * instance of a schema, and a conservative "does this value break the schema" check. The security
 * matrix and the hostile-input properties are generated from these, so a route added to the table
 * is tested without anyone listing it.
 */

export type JsonSchema = { [key: string]: unknown };
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface OpenApiDoc {
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; parameters?: Record<string, JsonSchema> };
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: HttpMethod;
  path: string;
  operationId: string;
  /** 'public', or the roles the document lists in `x-roles`. */
  access: 'public' | string[];
  pathParams: Parameter[];
  queryParams: Parameter[];
  /** The JSON request body's schema, if the operation takes a JSON body. */
  body: JsonSchema | undefined;
  /** Every media type the request body may come in. */
  bodyTypes: string[];
  idempotent: boolean;
  /** Documented response status codes. */
  statuses: number[];
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      const upper = method.toUpperCase();
      if (!METHODS.has(upper)) continue;
      const parameters = (raw.parameters as JsonSchema[] | undefined) ?? [];
      const inline = parameters.filter((p) => p.$ref === undefined) as unknown as Parameter[];
      const roles = raw['x-roles'] as string[] | undefined;
      const isPublic = Array.isArray(raw.security) && (raw.security as unknown[]).length === 0;
      const content = (raw.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)
        ?.content;
      operations.push({
        method: upper as HttpMethod,
        path,
        operationId: String(raw.operationId),
        access: isPublic ? 'public' : (roles ?? []),
        pathParams: inline.filter((p) => p.in === 'path'),
        queryParams: inline.filter((p) => p.in === 'query'),
        body: content?.['application/json']?.schema,
        bodyTypes: Object.keys(content ?? {}),
        idempotent: parameters.some((p) => p.$ref === '#/components/parameters/IdempotencyKey'),
        statuses: Object.keys(raw.responses as object).map(Number),
      });
    }
  }
  return operations;
}

export const routeKey = (route: { method: string; path: string }): string => `${route.method} ${route.path}`;

/**
 * What the served document says against what the route table serves: the same operations, ids and
 * roles. Returns the differences (empty when they agree).
 */
export function crossCheck(operations: readonly Operation[], routes: readonly AnyRoute[]): string[] {
  const problems: string[] = [];
  const byKey = new Map(operations.map((op) => [routeKey(op), op]));
  for (const route of routes) {
    const op = byKey.get(routeKey(route));
    if (!op) {
      problems.push(`${routeKey(route)} (${route.operationId}) is in apiRoutes but not in /v1/openapi.json`);
      continue;
    }
    if (op.operationId !== route.operationId) {
      problems.push(`${routeKey(route)}: operationId ${op.operationId} != ${route.operationId}`);
    }
    const access = route.access === 'public' ? 'public' : [...route.access].sort().join(',');
    const documented = op.access === 'public' ? 'public' : [...op.access].sort().join(',');
    if (access !== documented) problems.push(`${routeKey(route)}: roles ${documented} != table ${access}`);
    if ((route.body !== undefined) !== (op.body !== undefined)) {
      problems.push(`${routeKey(route)}: request body documented ${op.body !== undefined}`);
    }
  }
  const served = new Set(routes.map(routeKey));
  for (const op of operations) {
    if (!served.has(routeKey(op))) problems.push(`${routeKey(op)} is documented but not in apiRoutes`);
  }
  return problems;
}

/** Follows `$ref`s to the schema they name. */
export function resolve(doc: OpenApiDoc, schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; typeof current.$ref === 'string' && depth < 20; depth += 1) {
    const name = (current.$ref as string).replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`unresolved $ref ${current.$ref as string}`);
    const { $ref: _ref, ...siblings } = current;
    current = { ...target, ...siblings };
  }
  return current;
}

const typesOf = (schema: JsonSchema): string[] | undefined => {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  return undefined;
};

const branches = (schema: JsonSchema): JsonSchema[] | undefined =>
  (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;

export const jsonType = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

const typeAllows = (types: string[], value: unknown): boolean => {
  const actual = jsonType(value);
  return types.includes(actual) || (actual === 'integer' && types.includes('number'));
};

/**
 * True only when `value` certainly breaks `schema` (strict JSON Schema reading, lenient wherever the
 * server may be laxer than the document, e.g. it trims text before counting). A false answer means
 * "may be valid", never "is valid".
 */
export function violates(doc: OpenApiDoc, schema: JsonSchema, value: unknown): boolean {
  const s = resolve(doc, schema);
  const anyOf = branches(s);
  if (anyOf) return anyOf.every((branch) => violates(doc, branch, value));
  if (Array.isArray(s.allOf) && (s.allOf as JsonSchema[]).some((part) => violates(doc, part, value))) {
    return true;
  }
  if ('const' in s && value !== s.const) return true;
  if (Array.isArray(s.enum) && !(s.enum as unknown[]).includes(value)) return true;
  const types = typesOf(s);
  if (types && !typeAllows(types, value)) return true;
  if (typeof value === 'string') return violatesString(s, value);
  if (typeof value === 'number') return violatesNumber(s, value);
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) return true;
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return true;
    const items = s.items as JsonSchema | undefined;
    return items !== undefined && value.some((item) => violates(doc, items, item));
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of (s.required as string[] | undefined) ?? []) {
      if (!Object.hasOwn(record, name)) return true;
    }
    for (const [name, item] of Object.entries(record)) {
      const property = Object.hasOwn(properties, name) ? properties[name] : undefined;
      if (property) {
        if (violates(doc, property, item)) return true;
      } else if (closed(s)) {
        return true;
      } else if (
        typeof s.additionalProperties === 'object' &&
        violates(doc, s.additionalProperties as JsonSchema, item)
      ) {
        return true;
      }
    }
  }
  return false;
}

/**
 * Whether an object refuses keys it does not declare. The contract (API.md) makes every body object
 * strict ("unknown body fields are a 400"), so an object with declared properties is closed unless
 * it declares a schema for other keys (a map), whatever the document forgot to say.
 */
export const closed = (s: JsonSchema): boolean =>
  s.additionalProperties === false || (s.properties !== undefined && s.additionalProperties === undefined);

function violatesString(s: JsonSchema, value: string): boolean {
  // The server trims free text before it counts: count the trimmed code points for the maximum.
  if (typeof s.maxLength === 'number' && [...value.trim()].length > s.maxLength) return true;
  if (typeof s.minLength === 'number' && value.length < s.minLength) return true;
  if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(value)) return true;
  return false;
}

function violatesNumber(s: JsonSchema, value: number): boolean {
  if (!Number.isFinite(value)) return true;
  if (typeof s.minimum === 'number' && value < s.minimum) return true;
  if (typeof s.maximum === 'number' && value > s.maximum) return true;
  if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) return true;
  if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) return true;
  return false;
}

/** Supplies a value for a named property or parameter (a real id, a receiver URL); undefined = derive. */
export type Hint = (name: string, schema: JsonSchema) => unknown;

const FORMAT_SAMPLES: Record<string, string> = {
  'date-time': '2026-11-24T02:00:00Z',
  date: '2026-01-15',
  email: 'ops@example.com',
  uri: 'https://example.com/',
};

/**
 * A minimal instance of the schema: required properties only, fewest array items, the first enum
 * value, the documented example, else a string fast-check derives from the pattern.
 */
export function sample(
  doc: OpenApiDoc,
  schema: JsonSchema,
  hint: Hint = () => undefined,
  name = '',
): unknown {
  const s = resolve(doc, schema);
  const hinted = name ? hint(name, s) : undefined;
  if (hinted !== undefined) return hinted;
  const anyOf = branches(s);
  if (anyOf) {
    const branch = anyOf.find((b) => resolve(doc, b).type !== 'null') ?? anyOf[0];
    return sample(doc, branch as JsonSchema, hint, name);
  }
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum)) return (s.enum as unknown[])[0];
  if ('default' in s) return s.default;
  const type = typesOf(s)?.[0] ?? (s.properties ? 'object' : 'string');
  const example = s.example;
  if (example !== null && typeof example === 'object' && !violates(doc, s, example)) {
    return structuredClone(example);
  }
  switch (type) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
      const out: Record<string, unknown> = {};
      for (const key of (s.required as string[] | undefined) ?? []) {
        out[key] = sample(doc, properties[key] ?? {}, hint, key);
      }
      return out;
    }
    case 'array': {
      const count = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: count }, () => sample(doc, (s.items ?? {}) as JsonSchema, hint, name));
    }
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : Math.min(0, Number(s.maximum ?? 0));
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return sampleString(s);
  }
}

function sampleString(s: JsonSchema): string {
  const candidates = [s.example, FORMAT_SAMPLES[String(s.format)], 'Sample text', 'S1'];
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && !violatesString(s, candidate)) return candidate;
  }
  if (typeof s.pattern === 'string') {
    const found = fc
      .sample(fc.stringMatching(new RegExp(s.pattern)), { seed: 42, numRuns: 200 })
      .find((value) => value.trim() === value && !violatesString(s, value));
    if (found !== undefined) return found;
  }
  return 'S1';
}

/**
 * A request body: the minimal instance, except that an object whose properties are all optional
 * gets its first one (a PATCH with no setting is refused whatever else it holds).
 */
export function sampleBody(doc: OpenApiDoc, schema: JsonSchema, hint: Hint = () => undefined): unknown {
  const s = resolve(doc, schema);
  const body = sample(doc, s, hint);
  const properties = Object.entries((s.properties ?? {}) as Record<string, JsonSchema>);
  if (body && typeof body === 'object' && Object.keys(body).length === 0 && properties.length > 0) {
    const [name, property] = properties[0] as [string, JsonSchema];
    return { [name]: sample(doc, property, hint, name) };
  }
  return body;
}

/** `/v1/tenants/{tenantId}` with values filled in (each encoded as one path segment). */
export const fillPath = (path: string, values: Record<string, string>): string =>
  path.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    return encodeURIComponent(value);
  });
