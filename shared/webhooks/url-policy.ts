import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Where a webhook may point (SSRF defence, checked when a subscription is created and again before
 * every delivery). In AWS: https only, to a public DNS name or a public IP literal. The local
 * runtime also accepts `http://127.0.0.1:<port>`, so a developer's test receiver works.
 *
 * The resolve-time half of the defence (a public name that resolves to a private address) is in
 * resolve-guard.ts: it vets every address DNS returns and pins the connection to a vetted one.
 */

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

export interface UrlPolicyOptions {
  /** The embedded local runtime (`deps.config.local`). */
  local: boolean;
}

/** Names that only mean something inside a network, never on the public internet. */
const INTERNAL_NAME_SUFFIXES = ['.localhost', '.local', '.localdomain', '.internal', '.home.arpa', '.lan'];

/**
 * Addresses a webhook must never reach: private, loopback, link-local (cloud metadata lives at
 * 169.254.169.254), CGNAT, multicast, reserved and documentation ranges, and the IPv6 transition
 * prefixes that embed an IPv4 address (NAT64, 6to4, Teredo) so they cannot smuggle one in.
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is matched against the IPv4 rules by BlockList itself.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible block
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local (ULA)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

/** True for any address a webhook must not reach. Not an IP address at all counts as blocked. */
export function isBlockedAddress(address: string): boolean {
  if (isIPv4(address)) return BLOCKED.check(address, 'ipv4');
  if (isIPv6(address)) return BLOCKED.check(address, 'ipv6');
  return true;
}

/** A host name that can only be internal: `localhost`, mDNS and other private suffixes, single labels. */
export function isInternalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name === '') return true;
  if (INTERNAL_NAME_SUFFIXES.some((suffix) => name.endsWith(suffix))) return true;
  // A single label resolves through search domains: inside a VPC, that is the VPC.
  return !name.includes('.');
}

const refuse = (reason: string): UrlVerdict => ({ ok: false, reason });

/** The static half of the policy: scheme, credentials, and the host as written. */
export function checkWebhookUrl(raw: string, options: UrlPolicyOptions): UrlVerdict {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH)
    return refuse(`must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('is not a valid absolute URL');
  }
  if (url.username || url.password) return refuse('must not contain credentials');
  if (url.hash) return refuse('must not contain a fragment');
  // Port 0 is no port: nothing listens there, and sockets treat it as "any port".
  if (url.port === '0') return refuse('must not use port 0');
  // The WHATWG parser has already normalised 0x7f.1, 2130706433 and friends to dotted IPv4.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (options.local && url.protocol === 'http:' && host === '127.0.0.1') return { ok: true, url };
  if (url.protocol !== 'https:') {
    return refuse(
      options.local ? 'must be https, or http://127.0.0.1 in the local runtime' : 'must be https',
    );
  }
  if (isIPv4(host) || isIPv6(host)) {
    return isBlockedAddress(host)
      ? refuse('must not point to a private or reserved address')
      : { ok: true, url };
  }
  if (isInternalName(host)) return refuse('must name a public host');
  return { ok: true, url };
}
