import { onFirstUse } from '../runtime/on-first-use.ts';
import type { AuditPorts } from './ports.ts';

/**
 * The audit ports in AWS (KMS signer, S3 Object Lock archive), each client and adapter loaded by
 * `import()` on first use, so importing this file builds nothing at module init (the API function
 * needs them only on its audit routes). Key and bucket are checked on use.
 */
export function awsAuditPortsOnFirstUse(keyId: string | undefined, bucket: string | undefined): AuditPorts {
  const signer = onFirstUse(async () => {
    const [{ KMSClient }, { KmsSigner }] = await Promise.all([
      import('@aws-sdk/client-kms'),
      import('./kms-signer.ts'),
    ]);
    const client = new KMSClient({});
    return new KmsSigner(() => client, keyId);
  });
  const archive = onFirstUse(async () => {
    const [{ S3Client }, { S3Archive }] = await Promise.all([
      import('@aws-sdk/client-s3'),
      import('./s3-archive.ts'),
    ]);
    const client = new S3Client({});
    return new S3Archive(() => client, bucket);
  });
  return {
    signer: {
      publicKey: async () => (await signer()).publicKey(),
      sign: async (input) => (await signer()).sign(input),
    },
    archive: {
      put: async (archived) => (await archive()).put(archived),
      list: async (tenantId, afterSeq, limit) => (await archive()).list(tenantId, afterSeq, limit),
    },
  };
}
