import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { authenticate, usageIdentifierKey } from '../../shared/auth/api-keys.ts';
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
