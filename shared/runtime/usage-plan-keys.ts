import type { UsagePlanKeys } from '../auth/usage-plan-keys.ts';
import { onFirstUse } from './on-first-use.ts';

/**
 * Loaded on first use: importing this file evaluates no SDK code and constructs no client. The
 * client and its adapter come through `import()`, a chunk of its own in the bundle
 * (infra/bundling.ts), loaded by the first call only. The local runtime uses its own adapters.
 */
/** The usage plan's API Gateway keys (shared/auth/apigateway-usage-plan-keys.ts), loaded when a key is issued or revoked. */
export function apiGatewayUsagePlanKeysOnFirstUse(
  usagePlanId: string | undefined,
  stage: string,
): UsagePlanKeys {
  const keys = onFirstUse(async () => {
    const [{ APIGatewayClient }, { ApiGatewayUsagePlanKeys, usagePlanKeyTags }] = await Promise.all([
      import('@aws-sdk/client-api-gateway'),
      import('../auth/apigateway-usage-plan-keys.ts'),
    ]);
    // Tagged with the application and stage: the role may create and delete no other keys (issue 19).
    return new ApiGatewayUsagePlanKeys(() => new APIGatewayClient({}), usagePlanId, usagePlanKeyTags(stage));
  });
  return {
    register: async (keyId, value) => (await keys()).register(keyId, value),
    remove: async (apiGatewayKeyId) => (await keys()).remove(apiGatewayKeyId),
    adopt: async (keyId, value) => (await keys()).adopt(keyId, value),
  };
}
