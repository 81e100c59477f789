/**
 * Webhook signing secrets at rest (issue 19 item 8): the subscription item holds only a sealed
 * secret, bound to its tenant, so an item copied into another county's partition (or read by anyone
 * without the key) yields nothing to sign with. AWS: KMS with the encryption context
 * `{tenant}` (kms-secret-box.ts); local and tests: AES-256-GCM with a per-tenant key derived from a
 * master key file, the tenant id as additional authenticated data (local-secret-box.ts).
 */
/** The KMS encryption context key holding the tenant id (the key policy requires it on every call). */
export const TENANT_CONTEXT_KEY = 'tenant';

export interface SecretBox {
  /** The sealed form to store; only `open` with the same tenant id gives the secret back. */
  seal(tenantId: string, secret: string): Promise<string>;
  /** Throws SecretNotOpened when the sealed value was not made for this tenant (or by this box). */
  open(tenantId: string, sealed: string): Promise<string>;
}

export class SecretNotOpened extends Error {
  override readonly name = 'SecretNotOpened';
}
