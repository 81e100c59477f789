import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type PublicJwk, toPublicJwk } from '../shared/audit/checkpoint.ts';
import { verifyOffline } from '../shared/audit/offline-verify.ts';

/**
 * `npm run audit:verify -- --url <base> --key <api key> --tenant <tenantId> [--public-key <file>]`
 *
 * Verifies one county's audit trail trusting nothing but the public key: give the key you got
 * out of band (the stack output `AuditPublicKey`, PEM or a JWK / JWK set file) with --public-key.
 * Without it the server's `GET /v1/audit/public-key` is used and its kid printed, to compare with
 * the one you hold. Exit code 0: verified; 1: something is broken (listed); 2: could not run.
 */
const usage =
  'usage: npm run audit:verify -- --url <base url> --key <api key> --tenant <tenantId> [--public-key <file>]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      tenant: { type: 'string' },
      'public-key': { type: 'string' },
    },
  });
  if (!values.url || !values.key || !values.tenant) {
    console.error(usage);
    return 2;
  }
  let keys: PublicJwk[];
  if (values['public-key']) {
    keys = readKeys(readFileSync(values['public-key'], 'utf8'));
  } else {
    const response = await fetch(new URL('/v1/audit/public-key', values.url), {
      headers: { authorization: `Bearer ${values.key}` },
    });
    if (!response.ok) throw new Error(`GET /v1/audit/public-key: ${response.status}`);
    keys = ((await response.json()) as { keys: PublicJwk[] }).keys.map((jwk) =>
      toPublicJwk({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: 'jwk' }),
    );
    console.error(
      `warning: trusting the server's public key(s) ${keys.map((key) => key.kid).join(', ')}; pass --public-key to pin yours`,
    );
  }
  const report = await verifyOffline({
    baseUrl: values.url,
    apiKey: values.key,
    tenantId: values.tenant,
    keys,
  });
  console.log(JSON.stringify(report, null, 2));
  return report.ok ? 0 : 1;
}

/** PEM (SPKI), one JWK, or a JWK set. */
function readKeys(text: string): PublicJwk[] {
  if (text.includes('BEGIN PUBLIC KEY')) return [toPublicJwk(text)];
  const parsed = JSON.parse(text) as { keys?: unknown[] } | Record<string, unknown>;
  const jwks = Array.isArray(parsed.keys) ? parsed.keys : [parsed];
  return jwks.map((jwk) => toPublicJwk({ key: jwk as Record<string, string>, format: 'jwk' }));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  },
);
