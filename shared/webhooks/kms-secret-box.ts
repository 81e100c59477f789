import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type SecretBox, SecretNotOpened, TENANT_CONTEXT_KEY } from './secret-box.ts';

const PREFIX = 'kms:v1:';
/** What Decrypt answers for a ciphertext of another tenant (context) or another key. */
const NOT_THIS_TENANTS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/**
 * The AWS SecretBox: KMS Encrypt/Decrypt under the webhook secrets key with the encryption context
 * `{tenant: <tenantId>}`. A secret is far below Encrypt's 4 KB limit, so no data key is needed: KMS
 * itself is the envelope, and each call is logged in CloudTrail with its tenant. Decrypt fails
 * (InvalidCiphertextException) when the context differs, i.e. for a ciphertext copied to another
 * tenant's item; the key policy also refuses any call without a `tenant` context.
 */
export class KmsSecretBox implements SecretBox {
  private readonly client: KMSClient;
  private readonly keyId: string;

  constructor(client: KMSClient, keyId: string) {
    this.client = client;
    this.keyId = keyId;
  }

  async seal(tenantId: string, secret: string): Promise<string> {
    const { CiphertextBlob } = await this.client.send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: Buffer.from(secret, 'utf8'),
        EncryptionContext: { [TENANT_CONTEXT_KEY]: tenantId },
      }),
    );
    if (!CiphertextBlob) throw new Error('KMS Encrypt returned no ciphertext');
    return `${PREFIX}${Buffer.from(CiphertextBlob).toString('base64')}`;
  }

  async open(tenantId: string, sealed: string): Promise<string> {
    if (!sealed.startsWith(PREFIX)) throw new SecretNotOpened('not sealed by KMS');
    try {
      const { Plaintext } = await this.client.send(
        new DecryptCommand({
          // Pinned: a ciphertext of another key is refused even if the role could use that key.
          KeyId: this.keyId,
          CiphertextBlob: Buffer.from(sealed.slice(PREFIX.length), 'base64'),
          EncryptionContext: { [TENANT_CONTEXT_KEY]: tenantId },
        }),
      );
      if (!Plaintext) throw new Error('KMS Decrypt returned no plaintext');
      return Buffer.from(Plaintext).toString('utf8');
    } catch (error) {
      if (error instanceof Error && NOT_THIS_TENANTS.has(error.name)) {
        throw new SecretNotOpened('the sealed secret does not belong to this tenant');
      }
      throw error;
    }
  }
}
