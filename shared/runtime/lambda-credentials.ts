/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (an esbuild alias, infra/bundling.ts).
 *
 * Lambda always hands the function role's credentials to the function in its environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the SDK's default chain (SSO,
 * shared INI files, web identity, process, IMDS, with the STS and SSO clients they need) is dead
 * weight in a bundle: about 90 KB minified per function. Locally the SDK's own chain is used.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** The export the SDK clients' runtime configuration imports from the replaced package. */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): AwsCredentialIdentityProvider =>
  fromEnv(init);
