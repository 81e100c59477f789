import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { authenticate, usageIdentifierKey } from '../../shared/auth/api-keys.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import type { Clock } from '../../shared/clock.ts';
import { type CookiePolicy, readCookie, sessionCookieName } from '../../shared/sessions/cookies.ts';
import { checkSession } from '../../shared/sessions/sessions.ts';
import type { Db } from '../../shared/store/db.ts';

/** Behind API Gateway the pages are https: the session cookie has the `__Host-` name. */
const AWS_COOKIES: CookiePolicy = { secure: true };

export interface AuthorizerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

/**
 * API Gateway TOKEN authorizer: resolves the bearer key to its role and scope at the edge, so
 * unknown keys never reach the API function, and names the caller's usage-plan key (the key's
 * hash, registered by key issuance) so each credential is throttled on its own. The result is
 * cached per token, so the policy allows every route: what a role may do is decided by the API
 * function, which also re-checks the key on every call (revocation takes effect at once).
 */
export function createAuthorizer(deps: AuthorizerDeps) {
  const byKey = keyAuthorizer(deps);
  const forPage = pageAuthorizer(deps, byKey);
  return async (
    event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent,
  ): Promise<APIGatewayAuthorizerResult> => (event.type === 'REQUEST' ? forPage(event) : byKey(event));
}

/**
 * The REQUEST authorizer of the HTML pages (issue 18), uncached: a bearer key is handled as by the
 * TOKEN authorizer; otherwise the session cookie is checked (idle and absolute limits, the person's
 * mapping). A browser with neither is allowed through as `anonymous` for this one method, so that
 * the API function, which checks every request again, can send it to sign in; it gets no data.
 */
function pageAuthorizer(deps: AuthorizerDeps, byKey: ReturnType<typeof keyAuthorizer>) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const headers = lowerCaseHeaders(event.headers);
    if (headers.authorization !== undefined) {
      return byKey({ type: 'TOKEN', authorizationToken: headers.authorization, methodArn: event.methodArn });
    }
    const cookie = readCookie(headers.cookie, sessionCookieName(AWS_COOKIES));
    const check = cookie ? await checkSession(deps, cookie) : undefined;
    if (check?.ok) return allow(check.principal.keyId, event.methodArn, contextOf(check.principal));
    return allow('anonymous', event.methodArn, { scope: 'none' });
  };
}

const lowerCaseHeaders = (headers: APIGatewayRequestAuthorizerEvent['headers']): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value ?? '']));

const contextOf = (principal: Principal): Record<string, string> => ({
  keyId: principal.keyId,
  role: principal.role,
  scope: principal.scope.kind,
  tenantId: principal.scope.kind === 'tenant' ? principal.scope.tenantId : '',
  state: principal.scope.kind === 'state' ? principal.scope.state : '',
});

const allow = (
  principalId: string,
  methodArn: string,
  context: Record<string, string>,
): APIGatewayAuthorizerResult => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }],
  },
  context,
});

function keyAuthorizer(deps: AuthorizerDeps) {
  return async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(event.authorizationToken ?? '')?.[1];
    const principal = token ? await authenticate(deps, token) : undefined;
    // API Gateway answers 401 for exactly this error message.
    if (!token || !principal) throw new Error('Unauthorized');
    const scope = principal.scope;
    return {
      principalId: principal.keyId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allRoutesOf(event.methodArn) },
        ],
      },
      context: {
        keyId: principal.keyId,
        role: principal.role,
        scope: scope.kind,
        tenantId: scope.kind === 'tenant' ? scope.tenantId : '',
        state: scope.kind === 'state' ? scope.state : '',
      },
      // The value key issuance registered as the caller's API Gateway key in the usage plan
      // (shared/auth/usage-plan-keys.ts); with apiKeyRequired, API Gateway refuses any other.
      usageIdentifierKey: usageIdentifierKey(token),
    };
  };
}

/** `arn:…:execute-api:region:account:apiId/stage/METHOD/path` → every method and path of that stage. */
export function allRoutesOf(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*/*`;
}
