/**
 * Per-credential throttling (DESIGN.md §7, §9): every API key we issue has an API Gateway API key
 * of the same value in the stage's usage plan, and the authorizer names it as `usageIdentifierKey`
 * (the REST API's key source is AUTHORIZER). API Gateway never sees our bearer secret: the value
 * it stores and matches is the secret's SHA-256 hex hash (`usageIdentifierKey` in api-keys.ts),
 * 64 characters of [0-9a-f], inside API Gateway's 20 to 128 characters for a key value. Because the
 * hash is also what our key item stores, keys issued before this existed can be registered later
 * from the table alone, without their secrets (`npm run admin-key -- --backfill`,
 * shared/auth/usage-plan-backfill.ts).
 *
 * The port: the API Gateway adapter in AWS (apigateway-usage-plan-keys.ts), the in-memory one below
 * for the local runtime and tests (no API Gateway runs locally).
 */
export interface UsagePlanKeys {
  /**
   * Creates an enabled API Gateway key named after our `keyId` with this value and adds it to the
   * usage plan. Resolves to API Gateway's id for the key (kept on our key item for `remove`).
   * Throws if the key is not both created and in the plan (the adapter deletes a half-made key).
   */
  register(keyId: string, value: string): Promise<string>;
  /** Deletes the API Gateway key, which also takes it out of the plan. A key already gone is fine. */
  remove(apiGatewayKeyId: string): Promise<void>;
  /**
   * The API Gateway key named after our `keyId` with this value, made sure to be in the plan:
   * for a `register` that found the value taken because an earlier run created the key but never
   * recorded its id. Undefined when no such key exists (the value is someone else's).
   */
  adopt(keyId: string, value: string): Promise<string | undefined>;
}

/** A key as the in-memory adapter holds it. */
export interface RegisteredUsageKey {
  apiGatewayKeyId: string;
  keyId: string;
  value: string;
}

/**
 * The local and test adapter: keeps the plan's keys in a map, with API Gateway's rules that matter
 * here (value 20 to 128 characters, one key per value), and lets a test make the next call fail.
 */
export class InMemoryUsagePlanKeys implements UsagePlanKeys {
  private readonly keys = new Map<string, RegisteredUsageKey>();
  private sequence = 0;
  /** Thrown (once) by the next `register` / `remove` call. */
  failNext: { register?: Error; remove?: Error } = {};

  async register(keyId: string, value: string): Promise<string> {
    const failure = this.failNext.register;
    if (failure) {
      delete this.failNext.register;
      throw failure;
    }
    if (value.length < 20 || value.length > 128) {
      throw namedError('BadRequestException', 'API key value must be 20 to 128 characters');
    }
    if (this.byValue(value)) throw namedError('ConflictException', 'API Key already exists');
    this.sequence += 1;
    const apiGatewayKeyId = `local${String(this.sequence).padStart(5, '0')}`;
    this.keys.set(apiGatewayKeyId, { apiGatewayKeyId, keyId, value });
    return apiGatewayKeyId;
  }

  async remove(apiGatewayKeyId: string): Promise<void> {
    const failure = this.failNext.remove;
    if (failure) {
      delete this.failNext.remove;
      throw failure;
    }
    this.keys.delete(apiGatewayKeyId);
  }

  async adopt(keyId: string, value: string): Promise<string | undefined> {
    const key = this.byKeyId(keyId);
    return key?.value === value ? key.apiGatewayKeyId : undefined;
  }

  /** The plan's key with this value (what API Gateway looks up for a `usageIdentifierKey`). */
  byValue(value: string): RegisteredUsageKey | undefined {
    for (const key of this.keys.values()) if (key.value === value) return key;
    return undefined;
  }

  /** The plan's key named after this keyId of ours. */
  byKeyId(keyId: string): RegisteredUsageKey | undefined {
    for (const key of this.keys.values()) if (key.keyId === keyId) return key;
    return undefined;
  }

  get size(): number {
    return this.keys.size;
  }
}

const namedError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

/**
 * For functions that never issue or revoke keys (timer, sweeper, stream): they share the AppDeps
 * shape with the API function but must not bundle the API Gateway client. Any call is a bug.
 */
export const noUsagePlanKeys: UsagePlanKeys = {
  register: () => Promise.reject(new Error('this function does not manage API keys (no usage plan)')),
  remove: () => Promise.reject(new Error('this function does not manage API keys (no usage plan)')),
  adopt: () => Promise.reject(new Error('this function does not manage API keys (no usage plan)')),
};
