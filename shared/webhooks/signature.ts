import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Stripe-style signatures (API.md): `wso-signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
 * `"<t>.<raw body>"`, keyed with the subscription secret's UTF-8 bytes. The timestamp is inside the
 * signed text, so a receiver that refuses old `t` values also refuses replays.
 */
export const SIGNATURE_HEADER = 'wso-signature';

export const signatureOf = (secret: string, unixSeconds: number, rawBody: string): string =>
  createHmac('sha256', secret).update(`${unixSeconds}.${rawBody}`, 'utf8').digest('hex');

export const signatureHeader = (secret: string, unixSeconds: number, rawBody: string): string =>
  `t=${unixSeconds},v1=${signatureOf(secret, unixSeconds, rawBody)}`;

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * What a receiver runs (tests and the example vendor use it): parse the header, refuse a stale
 * timestamp, compare every v1 in constant time (several may be present while a secret rotates).
 */
export function verifySignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  options: { nowSeconds: number; toleranceSeconds?: number },
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing signature header' };
  const parts = header.split(',').map((part) => part.trim().split('=', 2) as [string, string | undefined]);
  const timestamp = Number(parts.find(([name]) => name === 't')?.[1]);
  const candidates = parts.flatMap(([name, value]) => (name === 'v1' && value ? [value] : []));
  if (!Number.isInteger(timestamp) || candidates.length === 0) {
    return { ok: false, reason: 'malformed signature header' };
  }
  if (Math.abs(options.nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) {
    return { ok: false, reason: 'timestamp outside the tolerance' };
  }
  const expected = Buffer.from(signatureOf(secret, timestamp, rawBody), 'hex');
  const matches = candidates.some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'signature mismatch' };
}
