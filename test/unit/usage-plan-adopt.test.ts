import {
  APIGatewayClient,
  ConflictException,
  CreateUsagePlanKeyCommand,
  GetApiKeysCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { usageIdentifierKey } from '../../shared/auth/api-keys.ts';
import { ApiGatewayUsagePlanKeys } from '../../shared/auth/apigateway-usage-plan-keys.ts';
import { InMemoryUsagePlanKeys } from '../../shared/auth/usage-plan-keys.ts';

/**
 * `adopt` (issue 17 item 5): the backfill finds the key an interrupted run created. API Gateway's
 * answers are mocked (no API Gateway runs locally); the in-memory adapter is checked alike.
 */

const apigateway = mockClient(APIGatewayClient);
afterEach(() => apigateway.reset());

const PLAN = 'plan42';
const VALUE = usageIdentifierKey('wso_example-secret-of-43-characters-aaaaaaaa');
const adapter = () => new ApiGatewayUsagePlanKeys(() => new APIGatewayClient({ region: 'us-east-1' }), PLAN);

describe('API Gateway adapter: adopt', () => {
  it('finds the key by its exact name and value (nameQuery is a prefix) and puts it in the plan', async () => {
    apigateway.on(GetApiKeysCommand).resolves({
      items: [
        { id: 'agw-longer', name: '01KEY-2', value: VALUE },
        { id: 'agw-other-value', name: '01KEY', value: 'f'.repeat(64) },
        { id: 'agw-ours', name: '01KEY', value: VALUE },
      ],
    });
    apigateway.on(CreateUsagePlanKeyCommand).resolves({ id: 'agw-ours' });
    await expect(adapter().adopt('01KEY', VALUE)).resolves.toBe('agw-ours');
    expect(apigateway.commandCalls(GetApiKeysCommand)[0]?.args[0].input).toMatchObject({
      nameQuery: '01KEY',
      includeValues: true,
    });
    expect(apigateway.commandCalls(CreateUsagePlanKeyCommand).map((call) => call.args[0].input)).toEqual([
      { usagePlanId: PLAN, keyId: 'agw-ours', keyType: 'API_KEY' },
    ]);
  });

  it('takes a key already in the plan as it is, and follows pages', async () => {
    apigateway
      .on(GetApiKeysCommand, { position: undefined })
      .resolves({ items: [], position: 'page2' })
      .on(GetApiKeysCommand, { position: 'page2' })
      .resolves({ items: [{ id: 'agw-ours', name: '01KEY', value: VALUE }] });
    apigateway
      .on(CreateUsagePlanKeyCommand)
      .rejects(new ConflictException({ message: 'Usage Plan Key already exists', $metadata: {} }));
    await expect(adapter().adopt('01KEY', VALUE)).resolves.toBe('agw-ours');
  });

  it('answers undefined when no key of that name holds the value', async () => {
    apigateway.on(GetApiKeysCommand).resolves({ items: [{ id: 'x', name: '01KEY', value: 'e'.repeat(64) }] });
    await expect(adapter().adopt('01KEY', VALUE)).resolves.toBeUndefined();
    expect(apigateway.commandCalls(CreateUsagePlanKeyCommand)).toHaveLength(0);
  });
});

describe('in-memory adapter: adopt', () => {
  it('finds the key registered under that keyId with that value, and nothing else', async () => {
    const keys = new InMemoryUsagePlanKeys();
    const id = await keys.register('01KEY', VALUE);
    await expect(keys.adopt('01KEY', VALUE)).resolves.toBe(id);
    await expect(keys.adopt('01KEY', 'e'.repeat(64))).resolves.toBeUndefined();
    await expect(keys.adopt('01OTHER', VALUE)).resolves.toBeUndefined();
  });
});
