import { isUtf8 } from 'node:buffer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod';
import type { AppDeps } from '../app-deps.ts';
import { authenticate, ownerPk } from '../auth/api-keys.ts';
import type { Principal } from '../auth/principal.ts';
import { pageAccess } from '../sessions/page-auth.ts';
import { tenantPk } from '../store/keys.ts';
import { getTenant } from '../store/tenants.ts';
import { IDEMPOTENCY_KEY_PATTERN, requestHash, runIdempotent } from './idempotency.ts';
import { ProblemError, problems } from './problem.ts';
import type { AnyRoute, HttpResult, RequestContext } from './route.ts';
import { Router } from './router.ts';
import { parseOrThrow } from './validation.ts';

/** The contract's body limit. API Gateway caps at 10 MB; we refuse far earlier. */
export const MAX_BODY_BYTES = 64 * 1024;

const EMPTY = z.strictObject({});

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
};

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The one HTTP pipeline: the API Lambda, the local runtime and the tests all call the handler this
 * returns. middy runs Powertools' logger context and header normalisation; the rest is the route
 * table's own dispatch: authenticate → scope (404) → role (403) → parse and validate → idempotency →
 * domain call → problem+json for every error.
 */
export function createApiHandler(deps: AppDeps, routes: readonly AnyRoute[]): ApiHandler {
  const router = new Router(routes);
  const { logger } = deps;

  const core = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const started = performance.now();
    const requestId = event.requestContext?.requestId || deps.ids.next();
    let status = 500;
    let principal: Principal | undefined;
    let routeName = 'unmatched';
    try {
      const match = router.match(event.httpMethod, event.path);
      if (match.kind === 'not-found') throw problems.routeNotFound();
      if (match.kind === 'method-not-allowed') throw problems.methodNotAllowed();
      const { route, params } = match;
      routeName = route.operationId;
      const result = await runRoute(deps, route, params, event, requestId, (p) => {
        principal = p;
      });
      status = result.status;
      return toResponse(result, requestId);
    } catch (error) {
      const problem = toProblem(error, logger, requestId);
      status = problem.status;
      return {
        statusCode: problem.status,
        headers: {
          ...BASE_HEADERS,
          'content-type': 'application/problem+json',
          'x-request-id': requestId,
          // API.md "Busy": a 503 tells the client when to try again.
          ...(problem.status === 503 ? { 'retry-after': '1' } : {}),
        },
        body: JSON.stringify(problem.toBody(event.path)),
      };
    } finally {
      logger.info('request', {
        requestId,
        method: event.httpMethod,
        route: routeName,
        status,
        latencyMs: Math.round(performance.now() - started),
        keyId: principal?.keyId,
        role: principal?.role,
        scope: principal?.scope,
      });
    }
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .handler(core);
}

async function runRoute(
  deps: AppDeps,
  route: AnyRoute,
  rawParams: Record<string, string>,
  event: APIGatewayProxyEvent,
  requestId: string,
  onPrincipal: (principal: Principal) => void,
): Promise<HttpResult> {
  const headers = event.headers ?? {};
  let principal: Principal | undefined;
  if (route.access !== 'public') {
    if (route.page && headers.authorization === undefined) {
      const access = await pageAccess(deps, { headers, pathWithQuery: pathWithQuery(event) });
      if (access.kind === 'sign-in') return access.result;
      if (access.kind === 'refused') throw problems.unauthorized();
      principal = access.principal;
    } else {
      principal = await authenticateHeader(deps, headers.authorization);
    }
    onPrincipal(principal);
    authorize(route, principal, rawParams);
    if (principal.scope.kind === 'state' && rawParams.tenantId !== undefined) {
      // A state key reaches a tenant path only where its role is allowed, and only its state's counties.
      const tenant = await getTenant(deps.db, rawParams.tenantId);
      if (tenant?.state !== principal.scope.state) throw problems.notFound();
    }
  }

  const params = parseOrThrow('path', route.params ?? EMPTY, rawParams);
  const query = parseOrThrow('query', route.query ?? EMPTY, singleValueQuery(event));
  const body = route.body
    ? parseOrThrow(
        'body',
        route.body,
        route.bodyFormats ? decodeBody(event, route.bodyFormats) : parseJsonBody(event),
      )
    : rejectUnexpectedBody(event);

  // A tenant's key reaches only its tenant's partition (after authorize and validation, so a refused
  // request costs no STS call); idempotency records live there too.
  const scoped = principal ? await scopedDeps(deps, principal, requestId) : deps;
  const ctx: RequestContext = {
    deps: route.db === 'function-role' ? deps : scoped,
    requestId,
    principal,
    headers,
  };
  const execute = () => route.handle({ params, query, body }, ctx);
  const idempotencyKey = headers['idempotency-key'];
  if (!route.idempotent || idempotencyKey === undefined || !principal) return execute();
  if (!IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
    throw problems.validation([
      { path: 'header.Idempotency-Key', message: 'must be 1 to 128 printable characters' },
    ]);
  }
  const tenantId = rawParams.tenantId;
  return runIdempotent(
    scoped,
    {
      ownerPk: tenantId ? tenantPk(tenantId) : ownerPk(principal.scope),
      operationId: route.operationId,
      keyId: principal.keyId,
      idempotencyKey,
    },
    requestHash(event.httpMethod, event.path, body),
    execute,
  );
}

/**
 * The deps a principal's request runs with: for a tenant key, `db` is pinned to `TENANT#<tenantId>`
 * (docs/DEPLOY.md §8); platform-admin and state-oversight keys keep the function role (they cross
 * tenants by design, and the byState index is not tenant-keyed).
 */
async function scopedDeps(deps: AppDeps, principal: Principal, requestId: string): Promise<AppDeps> {
  const { scope } = principal;
  if (scope.kind !== 'tenant' || !deps.tenantDb) return deps;
  return { ...deps, db: await deps.tenantDb.forTenant(scope.tenantId, principal.keyId || requestId) };
}

/** Always the function role: it reads and touches `APIKEY#<hash>`, which no tenant role may reach. */
async function authenticateHeader(deps: AppDeps, authorization: string | undefined): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const principal = match?.[1] ? await authenticate(deps, match[1]) : undefined;
  if (!principal) throw problems.unauthorized();
  return principal;
}

/**
 * A tenant or state in the path that the key does not belong to is 404 (never reveal that another
 * tenant exists); a wrong role within one's own scope is 403. Only platform-admin crosses tenants.
 */
function authorize(route: AnyRoute, principal: Principal, params: Record<string, string>): void {
  const roles = route.access === 'public' ? [] : route.access;
  const { scope } = principal;
  if (params.tenantId !== undefined && scope.kind !== 'platform') {
    // A state key may reach its state's counties on routes open to state-oversight (checked by runRoute).
    const stateReach = scope.kind === 'state' && roles.includes('state-oversight');
    if (!stateReach && (scope.kind !== 'tenant' || scope.tenantId !== params.tenantId)) {
      throw problems.notFound();
    }
  }
  if (params.state !== undefined && scope.kind !== 'platform') {
    // A county key on a state route is a wrong role (403): the path names no tenant to hide.
    if (scope.kind === 'tenant') throw problems.forbidden();
    if (scope.state !== params.state) throw problems.notFound();
  }
  if (!roles.includes(principal.role)) throw problems.forbidden();
}

/** The request's path and query as the browser asked for it (where to come back after signing in). */
function pathWithQuery(event: APIGatewayProxyEvent): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query.set(name, value);
  }
  return query.size > 0 ? `${event.path}?${query}` : event.path;
}

function singleValueQuery(event: APIGatewayProxyEvent): Record<string, string> {
  const multi = event.multiValueQueryStringParameters ?? {};
  // Null prototype: `?__proto__=x` must reach validation as an unknown parameter (400), not vanish.
  const query: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value === undefined) continue;
    if ((multi[name]?.length ?? 1) > 1) {
      throw problems.validation([{ path: `query.${name}`, message: 'must be given once' }]);
    }
    query[name] = value;
  }
  return query;
}

function rawBody(event: APIGatewayProxyEvent): string | undefined {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : undefined;
  const size = bytes ? bytes.length : Buffer.byteLength(event.body, 'utf8');
  if (size > MAX_BODY_BYTES) throw problems.payloadTooLarge(MAX_BODY_BYTES);
  if (!bytes) return event.body;
  // Never decoded with replacement characters: bytes that are not UTF-8 would be stored as U+FFFD.
  if (!isUtf8(bytes)) throw problems.validation([{ path: 'body', message: 'must be UTF-8 text' }]);
  return bytes.toString('utf8');
}

function parseJsonBody(event: APIGatewayProxyEvent): unknown {
  const text = rawBody(event);
  if (text === undefined) {
    throw problems.validation([{ path: 'body', message: 'a JSON body is required' }]);
  }
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType))
    throw problems.unsupportedMediaType();
  try {
    return JSON.parse(text);
  } catch {
    throw problems.malformedJson();
  }
}

/**
 * A body in one of the route's declared media types (e.g. XML), decoded by that type's decoder.
 * The size cap and the "a body is required" rule are the same as for JSON.
 */
function decodeBody(event: APIGatewayProxyEvent, formats: NonNullable<AnyRoute['bodyFormats']>): unknown {
  const text = rawBody(event);
  if (text === undefined) throw problems.validation([{ path: 'body', message: 'a body is required' }]);
  const mediaType = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const format = Object.hasOwn(formats, mediaType) ? formats[mediaType] : undefined;
  if (!format) throw problems.unsupportedMediaType(Object.keys(formats));
  return format.decode(text);
}

/** Routes without a body accept none, or an empty JSON object (some clients always send one). */
function rejectUnexpectedBody(event: APIGatewayProxyEvent): undefined {
  const text = rawBody(event);
  if (text === undefined || text.trim() === '{}') return undefined;
  throw problems.validation([{ path: 'body', message: 'this operation takes no body' }]);
}

function toResponse(result: HttpResult, requestId: string): APIGatewayProxyResult {
  const isText = typeof result.body === 'string' && result.contentType !== undefined;
  const headers: Record<string, string> = {
    ...BASE_HEADERS,
    'x-request-id': requestId,
    ...(result.headers ?? {}),
  };
  if (result.body === undefined) return { statusCode: result.status, headers, body: '' };
  headers['content-type'] = isText ? (result.contentType ?? 'text/plain') : 'application/json';
  return {
    statusCode: result.status,
    headers,
    body: isText ? (result.body as string) : JSON.stringify(result.body),
  };
}

/** Client mistakes keep their status; anything unexpected is a logged 500 with no internals. */
function toProblem(error: unknown, logger: AppDeps['logger'], requestId: string): ProblemError {
  if (error instanceof ProblemError) return error;
  if (isThrottling(error)) {
    logger.warn('throttled by a dependency', { requestId, error: describe(error) });
    return problems.throttled();
  }
  logger.error('unhandled error', { requestId, error: error instanceof Error ? error : String(error) });
  return problems.internal();
}

const THROTTLING = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'AuditChainBusyError',
]);

const isThrottling = (error: unknown): boolean => error instanceof Error && THROTTLING.has(error.name);

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export type { Context };
