import type * as z from 'zod';
import type { AppDeps } from '../app-deps.ts';
import type { Caller } from '../auth/caller.ts';
import type { Principal, Role } from '../auth/principal.ts';
import type { ProblemSlug, ProblemStatus } from '../errors/catalogue.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpResult {
  status: number;
  body?: unknown;
  /** Defaults to application/json; a string body with another type is sent as is (CSV, HTML). */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RequestContext {
  deps: AppDeps;
  requestId: string;
  /**
   * Undefined on public routes, and on a `keyInFirstRead` route until its use case admitted the
   * caller (after its first read).
   */
  readonly principal: Principal | undefined;
  /** The caller for a use case to admit (see shared/auth/caller.ts); on public routes it admits nobody. */
  caller: RouteCaller;
  headers: Readonly<Record<string, string | undefined>>;
  /** The invocation's remaining time (the Lambda context's), for work that must answer before it ends. */
  remainingMs?: () => number;
}

/** The request's caller, with the route's own further checks of the principal. */
export interface RouteCaller extends Caller {
  /** Adds a check run when the caller is admitted (e.g. a wso-officer serves only as itself). */
  also(check: (principal: Principal) => void): Caller;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
}

/**
 * One media type a route's body may arrive in, besides plain JSON. The pipeline hands the raw
 * text (already size-capped) to `decode`, and validates what it returns with the route's `body`
 * schema like any JSON body; `decode` throws a ProblemError (400) for text it cannot read.
 */
export interface BodyFormat {
  decode(text: string): unknown;
  /** For OpenAPI: how a body of this type looks. */
  description: string;
  /** For OpenAPI: the documented schema; default the route's `body` for JSON types, else a string. */
  schema?: z.ZodType;
  example?: string;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

/**
 * One entry of the route table. The table drives dispatch, authorization, validation, the OpenAPI
 * document and the security-matrix tests, so a route cannot be served without being documented
 * and checked.
 */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI-style template: `/v1/tenants/{tenantId}`. `{tenantId}` and `{state}` scope the caller. */
  path: string;
  summary: string;
  tag: string;
  /** 'public' or the roles allowed. */
  access: 'public' | readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The media types the body may come in (lower case, no parameters), each with its decoder.
   * Absent: application/json (and `+json` types) only. Present: exactly these; others are 415.
   */
  bodyFormats?: Readonly<Record<string, BodyFormat>>;
  /** A JSON body's size limit when the contract's 64 KiB cannot hold the operation (a batch). */
  maxBodyBytes?: number;
  /**
   * An HTML page: besides an API key, a signed-in person's session cookie lets a browser in, and a
   * browser without one is sent to sign in (shared/sessions/page-auth.ts). JSON routes never are.
   */
  page?: true;
  /** Writes honour Idempotency-Key: a replay returns the first answer and changes (and audits) nothing. */
  idempotent?: boolean;
  /**
   * For tenant principals `ctx.deps.db` is pinned to the tenant's partition (`dynamodb:LeadingKeys`).
   * 'function-role': the handler gets the API function's own role instead, because it writes items
   * outside that partition (API-key records `APIKEY#<hash>`). Idempotency records stay tenant-scoped.
   */
  db?: 'function-role';
  /**
   * The route's use case reads the caller's API key with its own first read (`ctx.caller`), so the
   * key check costs no round trip of its own. Tenant routes only; the pipeline still answers no
   * request whose key was not admitted.
   */
  keyInFirstRead?: boolean;
  responses: Record<number, ResponseSpec>;
  /**
   * The catalogue's problems the route's use case can answer (beyond the pipeline's own, which the
   * route's shape implies): the OpenAPI document lists exactly these per status. A slug the
   * catalogue answers with two statuses takes `[slug, status]` when the route answers only one.
   */
  problems?: readonly (ProblemSlug | readonly [ProblemSlug, ProblemStatus])[];
  handle(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>, ctx: RequestContext): Promise<HttpResult>;
}

/** A route with its own types erased, as kept in the route table (handle is a method: bivariant). */
export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

export const defineRoute = <
  P extends z.ZodType = z.ZodType<Record<string, never>>,
  Q extends z.ZodType = z.ZodType<Record<string, never>>,
  B extends z.ZodType = z.ZodType<undefined>,
>(
  spec: RouteSpec<P, Q, B>,
): AnyRoute => spec;
