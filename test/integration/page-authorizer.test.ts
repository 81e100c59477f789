import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../functions/authorizer/app.ts';
import { sessionCookieName } from '../../shared/sessions/cookies.ts';
import { startSession } from '../../shared/sessions/sessions.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * The REQUEST authorizer of the HTML pages in AWS (issue 18): a browser passes as `anonymous` for
 * this one method, session cookie or not, because the API function checks the session on every page
 * request (test/integration/sessions.test.ts) and the authorizer's role reaches key items only
 * (issue 19); a bearer key works as on the TOKEN authorizer. Uncached, so the policy names the one
 * method asked for.
 */
const runtime = useRuntime();
const METHOD_ARN =
  'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/v1/oversight/states/FL/dashboard';

const event = (headers: Record<string, string>): APIGatewayRequestAuthorizerEvent =>
  ({ type: 'REQUEST', methodArn: METHOD_ARN, headers }) as unknown as APIGatewayRequestAuthorizerEvent;

describe('the page authorizer', () => {
  it('lets a browser through as anonymous, even with a valid session, and checks bearer keys', async () => {
    const api = new ApiClient(runtime().url);
    const mapped = await api.post<{ personId: string; createdAt: string }>('/v1/states/FL/people', {
      key: runtime().adminKey,
      body: { name: 'Auditor', email: 'page-auth@fl.example' },
    });
    expect(mapped.status, mapped.text).toBe(201);
    const session = await startSession(runtime().deps, {
      personId: mapped.body.personId,
      name: 'Auditor',
      role: 'state-oversight',
      scope: { kind: 'state', state: 'FL' },
      identity: { kind: 'email', email: 'page-auth@fl.example' },
      createdAt: mapped.body.createdAt,
    });
    const authorize = createAuthorizer(runtime().deps);
    const name = sessionCookieName({ secure: true });
    expect(name).toBe('__Host-wso-session');

    // Even a valid session is not read here: only the API function may read people's sessions.
    const withSession = await authorize(event({ Cookie: `other=1; ${name}=${session.cookieValue}` }));
    expect(withSession.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN },
    ]);
    expect(withSession.usageIdentifierKey).toBeUndefined();

    const refused: Record<string, string>[] = [
      {},
      { Cookie: `other=1; ${name}=${session.cookieValue}` },
      { cookie: `${name}=${session.cookieValue.replace(/.$/, 'x')}` },
      // The local runtime's cookie name is not accepted behind https.
      { cookie: `wso-session=${session.cookieValue}` },
    ];
    for (const headers of refused) {
      const anonymous = await authorize(event(headers));
      expect(anonymous.principalId).toBe('anonymous');
      expect(anonymous.context).toEqual({ scope: 'none' });
    }
    await expect(authorize(event({ Authorization: 'Bearer wso_not_a_real_key_at_all_123' }))).rejects.toThrow(
      'Unauthorized',
    );
    const keyed = await authorize(event({ authorization: `Bearer ${runtime().adminKey}` }));
    expect(keyed.context).toMatchObject({ role: 'platform-admin', scope: 'platform' });
  });
});
