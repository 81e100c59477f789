import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { authenticate, usageIdentifierKey } from '../../shared/auth/api-keys.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Db } from '../../shared/store/db.ts';

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
  const forPage = pageAuthorizer(byKey);
  return async (
    event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent,
  ): Promise<APIGatewayAuthorizerResult> => (event.type === 'REQUEST' ? forPage(event) : byKey(event));
}

/**
 * The REQUEST authorizer of the HTML pages (issue 18), uncached: a bearer key is handled as by the
 * TOKEN authorizer; anything else (a browser with or without a session cookie) passes as
 * `anonymous` for this one method. The API function checks the session itself on every page
 * request (idle and absolute limits, the person's mapping) and sends anyone without one to sign
 * in, so the authorizer never reads a session: its role reaches `APIKEY#*` items only (issue 19),
 * never a county's, a state's or the platform's partition.
 */
function pageAuthorizer(byKey: ReturnType<typeof keyAuthorizer>) {
  return async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const authorization = lowerCaseHeaders(event.headers).authorization;
    if (authorization !== undefined) {
      return byKey({ type: 'TOKEN', authorizationToken: authorization, methodArn: event.methodArn });
    }
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
    return {
      principalId: principal.keyId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allRoutesOf(event.methodArn) },
        ],
      },
      context: contextOf(principal),
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
