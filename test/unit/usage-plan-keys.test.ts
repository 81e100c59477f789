import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey, usageIdentifierKey } from '../../shared/auth/api-keys.ts';
import { ApiGatewayUsagePlanKeys, usagePlanKeyTags } from '../../shared/auth/apigateway-usage-plan-keys.ts';
import { InMemoryUsagePlanKeys } from '../../shared/auth/usage-plan-keys.ts';

const apigateway = mockClient(APIGatewayClient);
afterEach(() => apigateway.reset());

const PLAN = 'plan42';
const VALUE = usageIdentifierKey('wso_example-secret-of-43-characters-aaaaaaaa');
const adapter = () => new ApiGatewayUsagePlanKeys(() => new APIGatewayClient({ region: 'us-east-1' }), PLAN);

describe('the usage-plan key value', () => {
  it('is the key hash: 64 hex characters, inside API Gateway\u2019s 20 to 128 for a key value', () => {
    expect(VALUE).toBe(hashApiKey('wso_example-secret-of-43-characters-aaaaaaaa'));
    expect(VALUE).toMatch(/^[0-9a-f]{64}$/);
    expect(VALUE).not.toContain('wso_');
  });
});

describe('API Gateway adapter', () => {
  it('creates an enabled key named after our keyId with the value, then adds it to the plan', async () => {
    apigateway.on(CreateApiKeyCommand).resolves({ id: 'agw123', name: '01KEY' });
    apigateway.on(CreateUsagePlanKeyCommand).resolves({ id: 'agw123', type: 'API_KEY' });

    await expect(adapter().register('01KEY', VALUE)).resolves.toBe('agw123');

    const created = apigateway.commandCalls(CreateApiKeyCommand);
    expect(created).toHaveLength(1);
    expect(created[0]!.args[0].input).toMatchObject({ name: '01KEY', enabled: true, value: VALUE });
    const attached = apigateway.commandCalls(CreateUsagePlanKeyCommand);
    expect(attached.map((call) => call.args[0].input)).toEqual([
      { usagePlanId: PLAN, keyId: 'agw123', keyType: 'API_KEY' },
    ]);
    expect(apigateway.commandCalls(DeleteApiKeyCommand)).toHaveLength(0);
  });

  it('tags the key with the application and stage its IAM conditions require (issue 19)', async () => {
    apigateway.on(CreateApiKeyCommand).resolves({ id: 'agw125' });
    apigateway.on(CreateUsagePlanKeyCommand).resolves({ id: 'agw125', type: 'API_KEY' });
    const tagged = new ApiGatewayUsagePlanKeys(
      () => new APIGatewayClient({ region: 'us-east-1' }),
      PLAN,
      usagePlanKeyTags('prod'),
    );
    await tagged.register('01KEY', VALUE);
    expect(apigateway.commandCalls(CreateApiKeyCommand)[0]!.args[0].input.tags).toEqual({
      application: 'wso-custody',
      stage: 'prod',
    });
  });

  it('deletes the key again when it cannot be added to the plan, and reports the first error', async () => {
    apigateway.on(CreateApiKeyCommand).resolves({ id: 'agw124' });
    apigateway
      .on(CreateUsagePlanKeyCommand)
      .rejects(new TooManyRequestsException({ message: 'Too Many Requests', $metadata: {} }));
    apigateway.on(DeleteApiKeyCommand).resolves({});

    await expect(adapter().register('01KEY', VALUE)).rejects.toThrow('Too Many Requests');
    expect(apigateway.commandCalls(DeleteApiKeyCommand).map((call) => call.args[0].input)).toEqual([
      { apiKey: 'agw124' },
    ]);
  });

  it('makes no call at all without a usage plan id', async () => {
    const unconfigured = new ApiGatewayUsagePlanKeys(() => new APIGatewayClient({}), undefined);
    await expect(unconfigured.register('01KEY', VALUE)).rejects.toThrow(/USAGE_PLAN_ID/);
    expect(apigateway.calls()).toHaveLength(0);
  });

  it('removes with DeleteApiKey, and a key that is already gone is not an error', async () => {
    apigateway
      .on(DeleteApiKeyCommand, { apiKey: 'gone' })
      .rejects(new NotFoundException({ message: 'Invalid API Key identifier specified', $metadata: {} }));
    apigateway.on(DeleteApiKeyCommand, { apiKey: 'agw125' }).resolves({});

    await expect(adapter().remove('agw125')).resolves.toBeUndefined();
    await expect(adapter().remove('gone')).resolves.toBeUndefined();
    expect(apigateway.commandCalls(DeleteApiKeyCommand).map((call) => call.args[0].input.apiKey)).toEqual([
      'agw125',
      'gone',
    ]);
  });

  it('passes any other delete failure on (the caller logs and counts it)', async () => {
    apigateway
      .on(DeleteApiKeyCommand)
      .rejects(new TooManyRequestsException({ message: 'Too Many Requests', $metadata: {} }));
    await expect(adapter().remove('agw126')).rejects.toThrow('Too Many Requests');
  });
});

describe('in-memory adapter (local runtime and tests)', () => {
  it('keeps API Gateway\u2019s rules that matter: 20 to 128 characters, one key per value', async () => {
    const keys = new InMemoryUsagePlanKeys();
    const id = await keys.register('01KEY', VALUE);
    expect(keys.byValue(VALUE)).toEqual({ apiGatewayKeyId: id, keyId: '01KEY', value: VALUE });
    await expect(keys.register('01OTHER', VALUE)).rejects.toMatchObject({ name: 'ConflictException' });
    await expect(keys.register('01SHORT', 'x'.repeat(19))).rejects.toMatchObject({
      name: 'BadRequestException',
    });
    await expect(keys.register('01LONG', 'x'.repeat(129))).rejects.toMatchObject({
      name: 'BadRequestException',
    });
    await keys.remove(id);
    expect(keys.size).toBe(0);
  });
});
