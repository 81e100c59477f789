import type { TenantDbProvider } from '../app-deps.ts';
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { HttpResult } from '../http/route.ts';
import type { Db } from '../store/db.ts';
import { clearSessionCookie, readCookie, sessionCookieName } from './cookies.ts';
import { checkSession, sessionScope } from './sessions.ts';
import { type SignIn, signInUrl } from './sign-in.ts';

/**
 * How a request to an HTML page (a route with `page: true`) is let in without an API key: by a
 * signed-in person's session cookie. The JSON API never calls this, so a session cookie authorizes
 * no JSON call (and no write: there is no CSRF surface). A browser without a valid session is sent
 * to sign in and back; other clients get the API's 401.
 */
export type PageAccess =
  | { kind: 'person'; principal: Principal }
  | { kind: 'sign-in'; result: HttpResult }
  | { kind: 'refused' };

const wantsHtml = (accept: string | undefined): boolean => /\btext\/html\b/i.test(accept ?? '');

export async function pageAccess(
  deps: { db: Db; clock: Clock; signIn?: SignIn | undefined; tenantDb?: TenantDbProvider | undefined },
  request: { headers: Readonly<Record<string, string | undefined>>; pathWithQuery: string },
): Promise<PageAccess> {
  const { signIn } = deps;
  if (!signIn) return { kind: 'refused' };
  const policy = signIn.settings.cookies;
  const cookie = readCookie(request.headers.cookie, sessionCookieName(policy));
  if (cookie) {
    // A county person's session is county data: read through the tenant-pinned role where there is one.
    const scope = sessionScope(cookie);
    const db =
      scope?.kind === 'tenant' && deps.tenantDb ? await deps.tenantDb.forTenant(scope.tenantId) : deps.db;
    const check = await checkSession({ db, clock: deps.clock }, cookie);
    if (check.ok) return { kind: 'person', principal: check.principal };
  }
  if (!wantsHtml(request.headers.accept)) return { kind: 'refused' };
  return {
    kind: 'sign-in',
    result: {
      status: 303,
      headers: {
        location: signInUrl(signIn.settings, request.pathWithQuery),
        // A forged, expired or revoked cookie is dropped, so the browser stops sending it.
        ...(cookie ? { 'set-cookie': clearSessionCookie(policy) } : {}),
      },
    },
  };
}
