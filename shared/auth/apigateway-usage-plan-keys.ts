import {
  type APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetApiKeysCommand,
} from '@aws-sdk/client-api-gateway';
import type { UsagePlanKeys } from './usage-plan-keys.ts';

/** The application every API Gateway key of the platform is tagged with. */
export const KEY_APPLICATION = 'wso-custody';

/**
 * Tags of every API Gateway key the platform creates (issue 19 item 3). The admin function's role
 * may create a key only with exactly these tags and delete only keys that carry them
 * (infra/constructs/usage-plan-key-access.ts builds its conditions from this same function).
 */
export const usagePlanKeyTags = (stage: string): Record<'application' | 'stage', string> => ({
  application: KEY_APPLICATION,
  stage,
});

/**
 * The AWS adapter of the usage-plan-key port: CreateApiKey (enabled, named after our keyId, value =
 * the key's hash) then CreateUsagePlanKey on the stage's usage plan (USAGE_PLAN_ID, set by the API
 * stack); DeleteApiKey on revocation. Only the API function calls it, so the client is made on first
 * use and the plan id is checked then: the other functions share `depsFromEnvironment` and never
 * pay for it.
 *
 * IAM (infra/constructs/usage-plan-key-access.ts): apigateway:POST on /apikeys (only with the tags
 * below) and /usageplans/<id>/keys, apigateway:DELETE on /apikeys/* (only keys carrying them). Account quotas worth knowing: 10,000 API keys per Region (not
 * adjustable) and CreateApiKey / DeleteApiKey at 5 requests per second per account (docs/DEPLOY.md).
 */
export class ApiGatewayUsagePlanKeys implements UsagePlanKeys {
  private client: APIGatewayClient | undefined;
  private readonly makeClient: () => APIGatewayClient;
  private readonly usagePlanId: string | undefined;
  private readonly tags: Record<string, string> | undefined;

  constructor(
    makeClient: () => APIGatewayClient,
    usagePlanId: string | undefined,
    tags?: Record<string, string>,
  ) {
    this.makeClient = makeClient;
    this.usagePlanId = usagePlanId;
    this.tags = tags;
  }

  async register(keyId: string, value: string): Promise<string> {
    const usagePlanId = this.usagePlanId;
    if (!usagePlanId) throw new Error('USAGE_PLAN_ID is not set: this function cannot register API keys');
    this.client ??= this.makeClient();
    const created = await this.client.send(
      new CreateApiKeyCommand({
        name: keyId,
        description: `WSO custody API key ${keyId}: per-key throttling through usage plan ${usagePlanId}`,
        enabled: true,
        value,
        ...(this.tags === undefined ? {} : { tags: this.tags }),
      }),
    );
    const apiGatewayKeyId = created.id;
    if (!apiGatewayKeyId) throw new Error('CreateApiKey answered without an id');
    try {
      await this.addToPlan(usagePlanId, apiGatewayKeyId);
    } catch (error) {
      // A key outside the plan is useless (API Gateway refuses it when keys are required): do not
      // leave it behind to count against the Region's 10,000 keys. The caller sees the first error.
      await this.remove(apiGatewayKeyId).catch(() => undefined);
      throw error;
    }
    return apiGatewayKeyId;
  }

  /**
   * GetApiKeys by name (a prefix filter: the exact name and value are checked here), then
   * CreateUsagePlanKey, where a ConflictException means the key is in the plan already. Only the
   * operator's backfill calls it (the API function's role has no apigateway:GET on /apikeys).
   */
  async adopt(keyId: string, value: string): Promise<string | undefined> {
    const usagePlanId = this.usagePlanId;
    if (!usagePlanId) throw new Error('USAGE_PLAN_ID is not set: this function cannot register API keys');
    this.client ??= this.makeClient();
    let position: string | undefined;
    do {
      const page = await this.client.send(
        new GetApiKeysCommand({ nameQuery: keyId, includeValues: true, limit: 500, position }),
      );
      const found = page.items?.find((key) => key.name === keyId && key.value === value && key.id);
      if (found?.id) {
        await this.addToPlan(usagePlanId, found.id);
        return found.id;
      }
      position = page.position;
    } while (position);
    return undefined;
  }

  private async addToPlan(usagePlanId: string, apiGatewayKeyId: string): Promise<void> {
    this.client ??= this.makeClient();
    try {
      await this.client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId, keyId: apiGatewayKeyId, keyType: 'API_KEY' }),
      );
    } catch (error) {
      // A key already in the plan is what adopt wants (a key register just created never is).
      if (error instanceof Error && error.name === 'ConflictException') return;
      throw error;
    }
  }

  async remove(apiGatewayKeyId: string): Promise<void> {
    this.client ??= this.makeClient();
    try {
      await this.client.send(new DeleteApiKeyCommand({ apiKey: apiGatewayKeyId }));
    } catch (error) {
      if (error instanceof Error && error.name === 'NotFoundException') return;
      throw error;
    }
  }
}
