import type { SecretBox } from '../webhooks/secret-box.ts';
import { onFirstUse } from './on-first-use.ts';

/**
 * Webhook secrets sealed with KMS (shared/webhooks/kms-secret-box.ts), loaded on first use: importing
 * this file evaluates no SDK code; the KMS client and adapter are a chunk of their own in the bundle
 * (infra/bundling.ts), loaded by the first subscription created or the first delivery signed.
 */
export function kmsSecretBoxOnFirstUse(keyId: string): SecretBox {
  const box = onFirstUse(async () => {
    const [{ KMSClient }, { KmsSecretBox }] = await Promise.all([
      import('@aws-sdk/client-kms'),
      import('../webhooks/kms-secret-box.ts'),
    ]);
    return new KmsSecretBox(new KMSClient({}), keyId);
  });
  return {
    seal: async (tenantId, secret) => (await box()).seal(tenantId, secret),
    open: async (tenantId, sealed) => (await box()).open(tenantId, sealed),
  };
}
