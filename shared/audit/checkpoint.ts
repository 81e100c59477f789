import {
  createHash,
  createPublicKey,
  type JsonWebKey,
  KeyObject,
  verify as verifySignature,
} from 'node:crypto';
import canonicalize from 'canonicalize';
import * as z from 'zod';

/**
 * Signed checkpoints (API.md "Audit checkpoints"): at least once a minute the sealer seals a
 * county's new events into `{tenantId, seq, sealedAt, from, to, eventCount, root, previous, keyId,
 * signature}`. Pure functions only: the Merkle root, the canonical JSON (RFC 8785, via the
 * `canonicalize` package), the chain link and the ES256 check. The sealer, `verify` and the offline
 * verifier all use these, so there is one definition of what a valid checkpoint is.
 */

/** One sealed event: where it is stored (its sort key, no person data) and its chain hash. */
export const leafSchema = z.strictObject({
  ref: z.string().min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Leaf = z.infer<typeof leafSchema>;

export const checkpointSchema = z.strictObject({
  tenantId: z.string(),
  seq: z.number().int().min(1),
  sealedAt: z.string(),
  /** When the first and the last of the sealed events were written (as the table's stream saw them). */
  from: z.string(),
  to: z.string(),
  eventCount: z.number().int().min(1),
  root: z.string().regex(/^[0-9a-f]{64}$/),
  previous: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string(),
  signature: z.string().regex(/^[A-Za-z0-9_-]+$/),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;
export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

/** What the archive keeps for each checkpoint: the ten signed fields and the leaves they seal. */
export const archivedCheckpointSchema = z.strictObject({
  checkpoint: checkpointSchema,
  leaves: z.array(leafSchema).min(1),
});
export type ArchivedCheckpoint = z.infer<typeof archivedCheckpointSchema>;

export const FIRST_PREVIOUS = '0'.repeat(64);

const sha256 = (...parts: (string | Buffer)[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** RFC 8785 canonical JSON. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/**
 * The Merkle tree hash of RFC 6962 (Certificate Transparency) over SHA-256: leaves are prefixed
 * 0x00, inner nodes 0x01, and a tree of n leaves splits at the largest power of two below n. A leaf
 * is the canonical JSON of `{ref, hash}`, so a root binds each event's hash to where it is stored.
 */
export function merkleRoot(leaves: readonly Leaf[]): string {
  const hashes = leaves.map((leaf) =>
    sha256(Buffer.from([0]), canonicalJson({ ref: leaf.ref, hash: leaf.hash })),
  );
  return treeHash(hashes).toString('hex');
}

function treeHash(nodes: readonly Buffer[]): Buffer {
  if (nodes.length === 0) return sha256('');
  if (nodes.length === 1) return nodes[0] as Buffer;
  let split = 1;
  while (split * 2 < nodes.length) split *= 2;
  return sha256(Buffer.from([1]), treeHash(nodes.slice(0, split)), treeHash(nodes.slice(split)));
}

/** The bytes the signature covers: the canonical JSON of the nine other fields. */
export function signingInput(checkpoint: UnsignedCheckpoint | Checkpoint): string {
  const { signature: _signature, ...unsigned } = checkpoint as Checkpoint;
  return canonicalJson(pickUnsigned(unsigned));
}

const pickUnsigned = (c: UnsignedCheckpoint): UnsignedCheckpoint => ({
  tenantId: c.tenantId,
  seq: c.seq,
  sealedAt: c.sealedAt,
  from: c.from,
  to: c.to,
  eventCount: c.eventCount,
  root: c.root,
  previous: c.previous,
  keyId: c.keyId,
});

/** `previous` of the next checkpoint: SHA-256 hex of the canonical JSON of all ten fields. */
export function checkpointDigest(checkpoint: Checkpoint): string {
  return sha256(canonicalJson({ ...pickUnsigned(checkpoint), signature: checkpoint.signature })).toString(
    'hex',
  );
}

/** A public signing key as served by `GET /v1/audit/public-key`. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** RFC 7638 thumbprint: the key id checkpoints name. */
export function jwkThumbprint(jwk: Pick<PublicJwk, 'crv' | 'kty' | 'x' | 'y'>): string {
  return sha256(canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).toString('base64url');
}

/** A P-256 public key (any form node reads: SPKI DER, PEM, KeyObject) as a JWK with its kid. */
export function toPublicJwk(key: Parameters<typeof createPublicKey>[0]): PublicJwk {
  const object = key instanceof KeyObject && key.type === 'public' ? key : createPublicKey(key);
  const jwk = object.export({ format: 'jwk' }) as JsonWebKey;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('not a P-256 key');
  const base = { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x, y: jwk.y };
  return { ...base, kid: jwkThumbprint(base), alg: 'ES256', use: 'sig' };
}

/** ES256 (JWS): ECDSA P-256 over SHA-256, signature r||s base64url. */
export function verifyEs256(jwk: PublicJwk, input: string, signature: string): boolean {
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' });
  const raw = Buffer.from(signature, 'base64url');
  if (raw.length !== 64) return false;
  return verifySignature('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, raw);
}

/**
 * KMS returns ECDSA signatures DER-encoded (SEQUENCE of two INTEGERs); JWS wants r||s, each
 * left-padded to 32 bytes.
 */
export function derToJose(der: Uint8Array): Buffer {
  const bytes = Buffer.from(der);
  let offset = 0;
  const expect = (tag: number) => {
    if (bytes[offset] !== tag) throw new Error('not a DER ECDSA signature');
    offset += 1;
    let length = bytes[offset++] ?? 0;
    if (length & 0x80) {
      const count = length & 0x7f;
      length = 0;
      for (let i = 0; i < count; i++) length = (length << 8) | (bytes[offset++] ?? 0);
    }
    return length;
  };
  expect(0x30);
  const integer = () => {
    const length = expect(0x02);
    let value = bytes.subarray(offset, offset + length);
    offset += length;
    while (value.length > 32 && value[0] === 0) value = value.subarray(1);
    if (value.length > 32) throw new Error('integer too long for P-256');
    return Buffer.concat([Buffer.alloc(32 - value.length), value]);
  };
  return Buffer.concat([integer(), integer()]);
}

export type CheckpointProblem =
  | 'checkpoint-schema'
  | 'checkpoint-tenant'
  | 'checkpoint-seq'
  | 'checkpoint-chain'
  | 'checkpoint-unknown-key'
  | 'checkpoint-signature'
  | 'checkpoint-root'
  | 'checkpoint-count';

export interface CheckpointBreak {
  seq: number;
  reason: CheckpointProblem;
  detail: string;
}

/**
 * Checks a tenant's archived checkpoints, oldest first: each one's schema, position, link to the
 * previous one, signature (by a key in `keys`) and root over its leaves. Returns the first break.
 */
export function checkCheckpointChain(
  tenantId: string,
  archived: readonly unknown[],
  keys: readonly PublicJwk[],
): CheckpointBreak | undefined {
  let previous = FIRST_PREVIOUS;
  let expectedSeq = 1;
  for (const raw of archived) {
    const parsed = archivedCheckpointSchema.safeParse(raw);
    if (!parsed.success) {
      return { seq: expectedSeq, reason: 'checkpoint-schema', detail: 'an archived checkpoint is malformed' };
    }
    const { checkpoint, leaves } = parsed.data;
    const at = (reason: CheckpointProblem, detail: string): CheckpointBreak => ({
      seq: checkpoint.seq,
      reason,
      detail,
    });
    if (checkpoint.tenantId !== tenantId)
      return at('checkpoint-tenant', 'the checkpoint names another tenant');
    if (checkpoint.seq !== expectedSeq) {
      return at('checkpoint-seq', `checkpoint ${expectedSeq} is missing; the next one is ${checkpoint.seq}`);
    }
    if (checkpoint.previous !== previous) {
      return at('checkpoint-chain', 'previous does not match the prior checkpoint\u2019s digest');
    }
    const key = keys.find((candidate) => candidate.kid === checkpoint.keyId);
    if (!key) return at('checkpoint-unknown-key', `no trusted key has the id ${checkpoint.keyId}`);
    if (!verifyEs256(key, signingInput(checkpoint), checkpoint.signature)) {
      return at('checkpoint-signature', 'the signature does not verify with the public key');
    }
    if (checkpoint.eventCount !== leaves.length) {
      return at('checkpoint-count', 'eventCount differs from the number of sealed events');
    }
    if (merkleRoot(leaves) !== checkpoint.root) {
      return at('checkpoint-root', 'the Merkle root does not match the sealed events');
    }
    previous = checkpointDigest(checkpoint);
    expectedSeq += 1;
  }
  return undefined;
}
