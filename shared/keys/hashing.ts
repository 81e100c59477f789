import { createHash } from 'node:crypto';
import { randomSecret } from '../ids.ts';

/**
 * API keys are shown once and stored only as a SHA-256 hash. A key is 32 random bytes, so a fast
 * hash is the right tool (nothing to brute-force); the hash is also the lookup key, so there is no
 * string comparison to time.
 */
export const hashApiKey = (apiKey: string): string =>
  createHash('sha256').update(apiKey, 'utf8').digest('hex');

/**
 * The value of the key's API Gateway usage-plan key, which the authorizer returns as
 * `usageIdentifierKey`: the stored hash (64 hex characters; API Gateway takes 20 to 128), so API
 * Gateway never holds a usable secret and the authorizer recomputes it from the bearer token.
 */
export const usageIdentifierKey = (apiKey: string): string => hashApiKey(apiKey);

/** The hash to look a presented token up by, or undefined for a token no key can have. */
export const presentedKeyHash = (token: string): string | undefined =>
  token.length < 24 || token.length > 512 ? undefined : hashApiKey(token);

export const newApiKey = (): string => `wso_${randomSecret(32)}`;
