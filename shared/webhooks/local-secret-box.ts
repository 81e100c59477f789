import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type SecretBox, SecretNotOpened } from './secret-box.ts';

const PREFIX = 'local:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The local runtime's SecretBox: AES-256-GCM (node:crypto) under a key derived per tenant (HKDF-SHA256
 * of the master key, the tenant id in `info`), with the tenant id also as additional authenticated
 * data. A value sealed for one tenant fails authentication as another's, as KMS's encryption context
 * does in AWS.
 */
export class LocalSecretBox implements SecretBox {
  private readonly masterKey: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the webhook secrets master key must be 32 bytes');
    this.masterKey = masterKey;
  }

  async seal(tenantId: string, secret: string): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.tenantKey(tenantId), iv);
    cipher.setAAD(Buffer.from(tenantId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
  }

  async open(tenantId: string, sealed: string): Promise<string> {
    if (!sealed.startsWith(PREFIX)) throw new SecretNotOpened('not sealed by the local secret box');
    const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) throw new SecretNotOpened('sealed secret too short');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.tenantKey(tenantId), bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(tenantId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretNotOpened('the sealed secret does not belong to this tenant');
    }
  }

  private tenantKey(tenantId: string): Buffer {
    return Buffer.from(
      hkdfSync('sha256', this.masterKey, Buffer.alloc(0), `wso-webhook-secret:${tenantId}`, 32),
    );
  }
}

/**
 * The master key kept in `file` (created on first start, owner-only), so sealed secrets survive a
 * restart on kept data. Without a file (an in-memory run), a fresh key: the data it seals goes too.
 */
export function localMasterKey(file: string | undefined): Buffer {
  if (file === undefined) return randomBytes(32);
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64url')}\n`, { mode: 0o600 });
  return key;
}
