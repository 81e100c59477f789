import { isUtf8 } from 'node:buffer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod';
import type { AppDeps } from '../app-deps.ts';
import { AuditChainBusyError } from '../audit/tenant-audit.ts';
import { admitKeyItem, ownerPk, presentedKeyHash } from '../auth/api-keys.ts';
import { actorOf, type Caller } from '../auth/caller.ts';
import type { Principal } from '../auth/principal.ts';
import { refuse } from '../errors/catalogue.ts';
import { pageAccess } from '../sessions/page-auth.ts';
import { keyRefByHash, readKeyByHash } from '../store/api-keys.ts';
import { isTransientFailure } from '../store/errors.ts';
import { tenantPk } from '../store/keys.ts';
import { getTenant } from '../store/tenants.ts';
import { RacesLost } from '../store/unit-of-work.ts';
import { IDEMPOTENCY_KEY_PATTERN, requestHash, runIdempotent } from './idempotency.ts';
import { DomainError, fromDomainError, ProblemError, problems } from './problem.ts';
import type { AnyRoute, HttpResult, RequestContext, RouteCaller } from './route.ts';
import { Router } from './router.ts';
import { parseOrThrow } from './validation.ts';

/** The contract's body limit. API Gateway caps at 10 MB; we refuse far earlier. */
export const MAX_BODY_BYTES = 64 * 1024;

const EMPTY = z.strictObject({});

/** Public routes have no caller to admit. */
const NO_CALLER: RouteCaller = {
  admit: async () => {
    throw problems.unauthorized();
  },
  also: () => NO_CALLER,
};

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

  const core = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
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
      const remainingMs = context?.getRemainingTimeInMillis?.bind(context);
      const result = await beforeTimeRunsOut(
        context,
        runRoute(deps, route, params, event, requestId, remainingMs, (p) => {
          principal = p;
        }),
      );
      status = result.status;
      return toResponse(result, requestId);
    } catch (error) {
      const problem = problemOf(error, logger, requestId);
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

  // The time limit is `beforeTimeRunsOut`'s, so running out of time is a problem like any other
  // (middy's own would throw past the pipeline: a 500 locally, a 502 from API Gateway).
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>({ timeoutEarlyInMillis: 0 })
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
  remainingMs: (() => number) | undefined,
  onPrincipal: (principal: Principal) => void,
): Promise<HttpResult> {
  const headers = event.headers ?? {};
  const idempotencyKey = headers['idempotency-key'];
  const admission =
    route.access === 'public'
      ? undefined
      : new Admission(deps, route, rawParams, headers.authorization, (p) => onPrincipal(p));
  if (admission && route.page && headers.authorization === undefined) {
    // People's pages: the session cookie stands in for a key (issue 18); the JSON API never reads it.
    const access = await pageAccess(deps, { headers, pathWithQuery: pathWithQuery(event) });
    if (access.kind === 'sign-in') return access.result;
    if (access.kind === 'refused') throw problems.unauthorized();
    await admission.acceptSession(access.principal);
  }
  // The key is read with the operation's first read when the route's use case can take it there
  // (one round trip less, DESIGN.md §7); otherwise, and before an idempotent replay, up front.
  const deferred = admission?.canDefer(route, idempotencyKey) === true;
  if (admission && !deferred) await admission.admitNow();

  let params: unknown;
  let query: unknown;
  let body: unknown;
  try {
    params = parseOrThrow('path', route.params ?? EMPTY, rawParams);
    query = parseOrThrow('query', route.query ?? EMPTY, singleValueQuery(event));
    body = route.body
      ? parseOrThrow(
          'body',
          route.body,
          route.bodyFormats ? decodeBody(event, route.bodyFormats) : parseJsonBody(event, route.maxBodyBytes),
        )
      : rejectUnexpectedBody(event);
  } catch (error) {
    // A bad key is 401 (a foreign tenant 404, a wrong role 403) before any complaint about the body.
    await admission?.admitNow();
    throw error;
  }

  // A tenant's key reaches only its tenant's partition (after authorize and validation, so a refused
  // request costs no STS call); idempotency records live there too. A deferred check runs under the
  // path's tenant: nothing read is answered, and nothing written, before the key is admitted.
  const scoped = admission
    ? await scopedDeps(deps, admission.tenantOf(), admission.principal?.keyId || requestId)
    : deps;
  const ctx: RequestContext = {
    deps: route.db === 'function-role' ? deps : scoped,
    requestId,
    get principal() {
      return admission?.principal;
    },
    caller: admission ?? NO_CALLER,
    headers,
    ...(remainingMs ? { remainingMs } : {}),
  };
  const execute = async (): Promise<HttpResult> => {
    let result: HttpResult;
    try {
      result = await route.handle({ params, query, body }, ctx);
    } catch (error) {
      await admission?.admitNow();
      throw error;
    }
    // Belt and braces: a use case that took the caller but never read its key answers nothing.
    await admission?.admitNow();
    return result;
  };
  const principal = admission?.principal;
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
 * The caller's key check, up front (`admitNow`: its own GetItem on the function role) or deferred
 * to the use case's first read (`keyRef` + `admit`, see shared/auth/caller.ts). Either way the same
 * rules: unknown or revoked 401, another tenant or state 404, a wrong role 403.
 */
class Admission implements RouteCaller {
  principal: Principal | undefined;
  private readonly hash: string | undefined;
  private readonly checks: ((principal: Principal) => void)[] = [];

  private readonly deps: AppDeps;
  private readonly route: AnyRoute;
  private readonly params: Record<string, string>;
  private readonly onPrincipal: (principal: Principal) => void;

  constructor(
    deps: AppDeps,
    route: AnyRoute,
    params: Record<string, string>,
    authorization: string | undefined,
    onPrincipal: (principal: Principal) => void,
  ) {
    this.deps = deps;
    this.route = route;
    this.params = params;
    this.onPrincipal = onPrincipal;
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    this.hash = token ? presentedKeyHash(token) : undefined;
  }

  /** Only a tenant route whose use case reads the key, with a token that can be a key. */
  canDefer(route: AnyRoute, idempotencyKey: string | undefined): boolean {
    return (
      route.keyInFirstRead === true &&
      this.hash !== undefined &&
      this.params.tenantId !== undefined &&
      idempotencyKey === undefined
    );
  }

  get keyRef() {
    return this.principal || !this.hash ? undefined : keyRefByHash(this.hash);
  }

  /** The tenant whose partition the request's storage is pinned to, or undefined (function role). */
  tenantOf(): string | undefined {
    if (this.principal)
      return this.principal.scope.kind === 'tenant' ? this.principal.scope.tenantId : undefined;
    return this.params.tenantId;
  }

  /** A further check of the principal, for the route (e.g. a wso-officer serves only as itself). */
  also(check: (principal: Principal) => void): Caller {
    this.checks.push(check);
    return this;
  }

  async admit(keyItem: Record<string, unknown> | undefined): Promise<ReturnType<typeof actorOf>> {
    if (!this.principal) await this.accept(await admitKeyItem(this.deps, keyItem));
    for (const check of this.checks) check(this.principal as Principal);
    return actorOf(this.principal as Principal);
  }

  /** A signed-in person's session on a page route: admitted by the same rules as a key. */
  acceptSession(principal: Principal): Promise<void> {
    return this.accept(principal);
  }

  async admitNow(): Promise<void> {
    if (this.principal) return;
    await this.accept(
      this.hash ? await admitKeyItem(this.deps, await readKeyByHash(this.deps.db, this.hash)) : undefined,
    );
  }

  private async accept(principal: Principal | undefined): Promise<void> {
    if (!principal) throw problems.unauthorized();
    this.onPrincipal(principal);
    authorize(this.route, principal, this.params);
    if (principal.scope.kind === 'state' && this.params.tenantId !== undefined) {
      // A state key reaches a tenant path only where its role is allowed, and only its state's counties.
      const tenant = await getTenant(this.deps.db, this.params.tenantId);
      if (tenant?.state !== principal.scope.state) throw problems.notFound();
    }
    this.principal = principal;
  }
}

/**
 * The deps a request runs with: for a tenant key, `db` is pinned to `TENANT#<tenantId>`
 * (docs/DEPLOY.md §8); platform-admin and state-oversight keys keep the function role (they cross
 * tenants by design, and the byState index is not tenant-keyed).
 */
async function scopedDeps(
  deps: AppDeps,
  tenantId: string | undefined,
  sessionName: string,
): Promise<AppDeps> {
  if (tenantId === undefined || !deps.tenantDb) return deps;
  return { ...deps, db: await deps.tenantDb.forTenant(tenantId, sessionName) };
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

function rawBody(event: APIGatewayProxyEvent, limit = MAX_BODY_BYTES): string | undefined {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : undefined;
  const size = bytes ? bytes.length : Buffer.byteLength(event.body, 'utf8');
  if (size > limit) throw problems.payloadTooLarge(limit);
  if (!bytes) return event.body;
  // Never decoded with replacement characters: bytes that are not UTF-8 would be stored as U+FFFD.
  if (!isUtf8(bytes)) throw problems.validation([{ path: 'body', message: 'must be UTF-8 text' }]);
  return bytes.toString('utf8');
}

function parseJsonBody(event: APIGatewayProxyEvent, limit?: number): unknown {
  const text = rawBody(event, limit);
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

/** Time kept back to answer after giving up on the route: the answer itself must still get out. */
const ANSWER_MARGIN_MS = 500;

/**
 * Runs the route until the invocation's time is nearly up (the Lambda's timeout, below API Gateway's
 * 29 s; the local runtime's 30 s context), then answers 503 `request-timed-out`: on a very busy
 * moment the client gets an answer it can act on, not a dropped connection or a 5xx without a type.
 * The route's work is not cancelled: a transaction is all or nothing, and a repeat is idempotent.
 */
async function beforeTimeRunsOut<T>(context: Context | undefined, work: Promise<T>): Promise<T> {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(problems.timedOut()), Math.max(0, remaining - ANSWER_MARGIN_MS));
  });
  try {
    return await Promise.race([work, outOfTime]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Client mistakes keep their status; anything unexpected is a logged 500 with no internals. Also
 * how a batch answers each of its items (functions/api/routes/booking-batch.ts).
 */
export function problemOf(error: unknown, logger: AppDeps['logger'], requestId: string): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof DomainError) return fromDomainError(error);
  if (error instanceof RacesLost) {
    return fromDomainError(
      refuse('concurrent-modification', `${error.subject} changed meanwhile; read it and retry.`),
    );
  }
  if (isTransientFailure(error) || error instanceof AuditChainBusyError) {
    logger.warn('a dependency is busy', { requestId, error: describe(error) });
    return problems.throttled();
  }
  logger.error('unhandled error', { requestId, error: error instanceof Error ? error : String(error) });
  return problems.internal();
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export type { Context };
