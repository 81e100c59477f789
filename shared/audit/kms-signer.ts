import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { derToJose, type PublicJwk, toPublicJwk } from './checkpoint.ts';
import type { CheckpointSigner } from './signer.ts';

/**
 * The signer in AWS: an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) whose private half never
 * leaves KMS; only the sealer's role may call Sign (infra/constructs/audit-sealer.ts). KMS answers
 * DER; checkpoints carry the JWS form (r||s).
 */
export class KmsSigner implements CheckpointSigner {
  private jwk: Promise<PublicJwk> | undefined;

  private readonly client: () => KMSClient;
  private readonly keyId: string | undefined;

  constructor(client: () => KMSClient, keyId: string | undefined) {
    this.client = client;
    this.keyId = keyId;
  }

  private key(): string {
    if (!this.keyId) throw new Error('AUDIT_KEY_ID is not set');
    return this.keyId;
  }

  publicKey(): Promise<PublicJwk> {
    this.jwk ??= this.client()
      .send(new GetPublicKeyCommand({ KeyId: this.key() }))
      .then(({ PublicKey }) => {
        if (!PublicKey) throw new Error('KMS returned no public key');
        return toPublicJwk({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' });
      });
    this.jwk.catch(() => {
      this.jwk = undefined;
    });
    return this.jwk;
  }

  async sign(input: string): Promise<string> {
    const { Signature } = await this.client().send(
      new SignCommand({
        KeyId: this.key(),
        Message: Buffer.from(input),
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!Signature) throw new Error('KMS returned no signature');
    return derToJose(Signature).toString('base64url');
  }
}
