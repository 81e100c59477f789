import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  checkCheckpointChain,
  checkpointDigest,
  derToJose,
  FIRST_PREVIOUS,
  type Leaf,
  merkleRoot,
  signingInput,
  toPublicJwk,
  verifyEs256,
} from '../../shared/audit/checkpoint.ts';

const leaf = (n: number): Leaf => ({
  ref: `AUDIT#${n}`,
  hash: createHash('sha256').update(String(n)).digest('hex'),
});

describe('checkpoint primitives', () => {
  it('canonical JSON is RFC 8785: sorted keys, no spaces, ES number form', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 1e21, 0.5], c: 'é' })).toBe(
      '{"a":[true,null,1e+21,0.5],"b":1,"c":"é"}',
    );
  });

  it('the Merkle root is RFC 6962: one leaf is its own leaf hash; order and content matter', () => {
    const one = createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), Buffer.from(canonicalJson(leaf(1)))]))
      .digest('hex');
    expect(merkleRoot([leaf(1)])).toBe(one);
    const three = [leaf(1), leaf(2), leaf(3)];
    expect(merkleRoot(three)).not.toBe(merkleRoot([leaf(2), leaf(1), leaf(3)]));
    expect(merkleRoot(three)).not.toBe(merkleRoot([leaf(1), leaf(2)]));
  });

  it('turns a DER ECDSA signature into JOSE r||s that verifies as ES256', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = toPublicJwk(publicKey);
    for (let i = 0; i < 20; i++) {
      const input = `message ${i}`;
      const der = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'der' });
      const jose = derToJose(der);
      expect(jose).toHaveLength(64);
      expect(verifyEs256(jwk, input, jose.toString('base64url'))).toBe(true);
      expect(verifyEs256(jwk, `${input}!`, jose.toString('base64url'))).toBe(false);
    }
  });

  it('checks a chain of signed checkpoints and names the first break', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = toPublicJwk(publicKey);
    const archived = [];
    let previous = FIRST_PREVIOUS;
    for (let seq = 1; seq <= 3; seq++) {
      const leaves = [leaf(seq * 10), leaf(seq * 10 + 1)];
      const unsigned = {
        tenantId: 't-1',
        seq,
        sealedAt: '2026-11-24T03:00:00Z',
        from: '2026-11-24T03:00:00Z',
        to: '2026-11-24T03:00:00Z',
        eventCount: 2,
        root: merkleRoot(leaves),
        previous,
        keyId: jwk.kid,
      };
      const signature = sign('sha256', Buffer.from(signingInput(unsigned)), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64url');
      const checkpoint = { ...unsigned, signature };
      previous = checkpointDigest(checkpoint);
      archived.push({ checkpoint, leaves });
    }
    expect(checkCheckpointChain('t-1', archived, [jwk])).toBeUndefined();
    expect(checkCheckpointChain('t-1', [archived[0], archived[2]], [jwk])).toMatchObject({
      seq: 3,
      reason: 'checkpoint-seq',
    });
    const [first, second] = archived;
    if (!first || !second) throw new Error('no checkpoints');
    const forgedLeaves = { ...second, leaves: [leaf(99), leaf(21)] };
    expect(checkCheckpointChain('t-1', [first, forgedLeaves], [jwk])).toMatchObject({
      seq: 2,
      reason: 'checkpoint-root',
    });
    const resigned = { ...second, checkpoint: { ...second.checkpoint, eventCount: 3 } };
    expect(checkCheckpointChain('t-1', [first, resigned], [jwk])).toMatchObject({
      seq: 2,
      reason: 'checkpoint-signature',
    });
    const other = toPublicJwk(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    expect(checkCheckpointChain('t-1', archived, [other])).toMatchObject({
      seq: 1,
      reason: 'checkpoint-unknown-key',
    });
  });
});
