import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../functions/authorizer/app.ts';
import { sessionCookieName } from '../../shared/sessions/cookies.ts';
import { startSession } from '../../shared/sessions/sessions.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * The REQUEST authorizer of the HTML pages in AWS (issue 18): the `__Host-` session cookie lets a
 * person in with their role and scope, for this one method; a forged or missing one passes only as
 * `anonymous` (the API function then sends the browser to sign in); a bearer key works as on the
 * TOKEN authorizer. Uncached, so the policy names the one method asked for.
 */
const runtime = useRuntime();
const METHOD_ARN =
  'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/v1/oversight/states/FL/dashboard';

const event = (headers: Record<string, string>): APIGatewayRequestAuthorizerEvent =>
  ({ type: 'REQUEST', methodArn: METHOD_ARN, headers }) as unknown as APIGatewayRequestAuthorizerEvent;

describe('the page authorizer', () => {
  it('accepts a valid session cookie, and nothing else as a person', async () => {
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

    const signedIn = await authorize(event({ Cookie: `other=1; ${name}=${session.cookieValue}` }));
    expect(signedIn.principalId).toBe(`person-${mapped.body.personId}`);
    expect(signedIn.context).toMatchObject({ role: 'state-oversight', scope: 'state', state: 'FL' });
    expect(signedIn.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN },
    ]);
    expect(signedIn.usageIdentifierKey).toBeUndefined();

    const refused: Record<string, string>[] = [
      {},
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
