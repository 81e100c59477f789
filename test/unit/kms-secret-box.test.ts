import {
  DecryptCommand,
  EncryptCommand,
  InvalidCiphertextException,
  KMSClient,
  KMSInternalException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsSecretBox } from '../../shared/webhooks/kms-secret-box.ts';
import { SecretNotOpened } from '../../shared/webhooks/secret-box.ts';

/**
 * The KMS adapter's requests (no KMS runs offline; the tenant binding itself is KMS's, checked on the
 * first deployment). The mock answers and injects the faults KMS gives for another tenant's context.
 */
const kms = mockClient(KMSClient);
afterEach(() => kms.reset());

const KEY = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
const box = () => new KmsSecretBox(new KMSClient({ region: 'us-east-1' }), KEY);

describe('the KMS secret box', () => {
  it('encrypts and decrypts under the key with the tenant as encryption context', async () => {
    kms.on(EncryptCommand).resolves({ CiphertextBlob: new Uint8Array([1, 2, 3]) });
    kms.on(DecryptCommand).resolves({ Plaintext: Buffer.from('whsec_x', 'utf8') });
    const sealed = await box().seal('county-a', 'whsec_x');
    expect(sealed).toBe('kms:v1:AQID');
    expect(await box().open('county-a', sealed)).toBe('whsec_x');
    const encrypt = kms.commandCalls(EncryptCommand)[0]?.args[0].input;
    expect(encrypt?.KeyId).toBe(KEY);
    expect(encrypt?.EncryptionContext).toEqual({ tenant: 'county-a' });
    expect(Buffer.from(encrypt?.Plaintext ?? []).toString('utf8')).toBe('whsec_x');
    const decrypt = kms.commandCalls(DecryptCommand)[0]?.args[0].input;
    expect(decrypt?.KeyId).toBe(KEY);
    expect(decrypt?.EncryptionContext).toEqual({ tenant: 'county-a' });
    expect(Buffer.from(decrypt?.CiphertextBlob ?? [])).toEqual(Buffer.from([1, 2, 3]));
  });

  it('says "not opened" for another tenant\u2019s ciphertext, and lets an outage propagate (the queue retries)', async () => {
    kms.on(DecryptCommand).rejects(new InvalidCiphertextException({ message: 'context', $metadata: {} }));
    await expect(box().open('county-b', 'kms:v1:AQID')).rejects.toBeInstanceOf(SecretNotOpened);
    await expect(box().open('county-b', 'local:v1:AQID')).rejects.toBeInstanceOf(SecretNotOpened);
    kms.on(DecryptCommand).rejects(new KMSInternalException({ message: 'down', $metadata: {} }));
    await expect(box().open('county-b', 'kms:v1:AQID')).rejects.toThrow('down');
  });
});
