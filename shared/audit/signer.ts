import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type PublicJwk, toPublicJwk } from './checkpoint.ts';

/**
 * The signer port: signs checkpoints with a key the table's writers cannot read. KMS in AWS
 * (kms-signer.ts); locally a P-256 key file beside the local data, never in the table.
 */
export interface CheckpointSigner {
  /** The public key (with its kid, the thumbprint) checkpoints are verified with. */
  publicKey(): Promise<PublicJwk>;
  /** ES256 over `input`: r||s, base64url. */
  sign(input: string): Promise<string>;
}

/** A PKCS#8 PEM P-256 key in `file`, created on first use (mode 0600). */
export class KeyFileSigner implements CheckpointSigner {
  private readonly key: KeyObject;
  private readonly jwk: PublicJwk;

  constructor(file: string) {
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    this.key = createPrivateKey(readFileSync(file));
    this.jwk = toPublicJwk(createPublicKey(this.key));
  }

  async publicKey(): Promise<PublicJwk> {
    return this.jwk;
  }

  async sign(input: string): Promise<string> {
    return sign('sha256', Buffer.from(input), { key: this.key, dsaEncoding: 'ieee-p1363' }).toString(
      'base64url',
    );
  }
}
