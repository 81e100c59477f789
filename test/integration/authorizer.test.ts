import { describe, expect, it } from 'vitest';
import { allRoutesOf, createAuthorizer } from '../../functions/authorizer/app.ts';
import { hashApiKey } from '../../shared/auth/api-keys.ts';
import { issueKey } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

const runtime = useRuntime();
const METHOD_ARN = 'arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:abc123/prod/GET/v1/tenants/x';

describe('the API Gateway authorizer', () => {
  it('resolves a key to its role and scope and allows every route of the stage (the result is cached)', async () => {
    const api = new ApiClient(runtime().url);
    await api.post('/v1/tenants', {
      key: runtime().adminKey,
      body: {
        tenantId: 'auth-fl',
        countyFips: '12001',
        state: 'FL',
        name: 'Alachua',
        timeZone: 'America/New_York',
        agreements: { wsoMoaSignedOn: null, igsa: false, boa: false },
      },
    });
    const key = await issueKey(api, runtime().adminKey, 'auth-fl', 'jail-system');
    const authorize = createAuthorizer(runtime().deps);
    const result = await authorize({
      type: 'TOKEN',
      authorizationToken: `Bearer ${key.apiKey}`,
      methodArn: METHOD_ARN,
    });
    expect(result.principalId).toBe(key.keyId);
    expect(result.context).toMatchObject({ role: 'jail-system', scope: 'tenant', tenantId: 'auth-fl' });
    expect(result.usageIdentifierKey).toBe(hashApiKey(key.apiKey));
    expect(result.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:abc123/prod/*/*',
      },
    ]);

    const revoked = await api.delete(`/v1/tenants/auth-fl/api-keys/${key.keyId}`, {
      key: runtime().adminKey,
    });
    expect(revoked.status).toBe(204);
    await expect(
      authorize({ type: 'TOKEN', authorizationToken: `Bearer ${key.apiKey}`, methodArn: METHOD_ARN }),
    ).rejects.toThrow('Unauthorized');
  });

  it('answers Unauthorized for a missing or unknown key', async () => {
    const authorize = createAuthorizer(runtime().deps);
    const call = (token: string) =>
      authorize({ type: 'TOKEN', authorizationToken: token, methodArn: METHOD_ARN });
    await expect(call('')).rejects.toThrow('Unauthorized');
    await expect(call('Bearer wso_never-issued-key-aaaaaaaaaaaaaaaa')).rejects.toThrow('Unauthorized');
    expect(allRoutesOf(METHOD_ARN)).toMatch(/\/prod\/\*\/\*$/);
  });
});
