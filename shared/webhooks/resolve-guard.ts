import type { LookupAddress, LookupOptions } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isBlockedAddress } from './url-policy.ts';

/**
 * DNS is a port: production resolves with the system resolver, tests pass a fake one so the
 * "public name, private address" case (DNS rebinding, a vendor's misconfigured record) is testable.
 */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

/** A delivery target refused by policy; the attempt is recorded as failed with this reason. */
export class RefusedTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedTargetError';
  }
}

/**
 * Resolves a webhook host and returns only if EVERY address is public: a record set that mixes a
 * public and a private address is refused whole, since the connection could use either.
 */
export async function resolvePublicAddresses(
  resolver: Resolver,
  hostname: string,
): Promise<readonly ResolvedAddress[]> {
  const addresses = await resolver(hostname);
  if (addresses.length === 0) throw new RefusedTargetError(`${hostname} did not resolve`);
  const blocked = addresses.find((entry) => isBlockedAddress(entry.address));
  if (blocked) throw new RefusedTargetError(`${hostname} resolves to a private or reserved address`);
  return addresses;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for node:http(s) that resolves through the policy: the socket connects to the very
 * address that was vetted, so a second DNS answer cannot swap in a private one (rebinding).
 * Node asks with `all: true` when happy-eyeballs is on, and for a single address otherwise.
 */
export function guardedLookup(resolver: Resolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolvePublicAddresses(resolver, hostname).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = wanted ? addresses.filter((entry) => entry.family === wanted) : addresses;
        const first = usable[0];
        if (!first) {
          callback(new RefusedTargetError(`${hostname} has no IPv${wanted} address`), '');
        } else if (options.all) {
          callback(
            null,
            usable.map((entry) => ({ address: entry.address, family: entry.family })),
          );
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: unknown) =>
        callback(error instanceof Error ? error : new RefusedTargetError(String(error)), ''),
    );
  };
}
