import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { nodeHttpTransport } from '../../shared/webhooks/http-transport.ts';
import {
  guardedLookup,
  RefusedTargetError,
  type Resolver,
  resolvePublicAddresses,
} from '../../shared/webhooks/resolve-guard.ts';
import { checkWebhookUrl, isBlockedAddress } from '../../shared/webhooks/url-policy.ts';

const AWS = { local: false };
const LOCAL = { local: true };

const reasonOf = (url: string, options = AWS) => {
  const verdict = checkWebhookUrl(url, options);
  return verdict.ok ? 'ok' : verdict.reason;
};

describe('webhook URL policy (static, at subscription and before each delivery)', () => {
  it('accepts https to a public name or address', () => {
    expect(reasonOf('https://hooks.jailvendor.example.com/wso')).toBe('ok');
    expect(reasonOf('https://hooks.jailvendor.example.com:8443/wso?tenant=1')).toBe('ok');
    expect(reasonOf('https://93.184.216.34/hook')).toBe('ok');
    expect(reasonOf('https://[2606:4700::1111]/hook')).toBe('ok');
  });

  it('refuses anything but https in AWS, including http://127.0.0.1', () => {
    expect(reasonOf('http://hooks.jailvendor.example.com/wso')).toBe('must be https');
    expect(reasonOf('http://127.0.0.1:8080/hook')).toBe('must be https');
    expect(reasonOf('ftp://hooks.example.com/')).toBe('must be https');
    expect(reasonOf('not a url')).toBe('is not a valid absolute URL');
  });

  it('allows http://127.0.0.1:<port> only in the local runtime, and nothing else over http', () => {
    expect(reasonOf('http://127.0.0.1:4567/hook', LOCAL)).toBe('ok');
    expect(reasonOf('http://localhost:4567/hook', LOCAL)).toMatch(/https, or http:\/\/127\.0\.0\.1/);
    expect(reasonOf('http://10.0.0.5/hook', LOCAL)).toMatch(/https/);
    expect(reasonOf('https://hooks.example.com/', LOCAL)).toBe('ok');
  });

  it.each([
    ['loopback', 'https://127.0.0.1/'],
    ['loopback, other address', 'https://127.10.0.1/'],
    ['private 10/8', 'https://10.1.2.3/'],
    ['private 172.16/12', 'https://172.31.255.1/'],
    ['private 192.168/16', 'https://192.168.1.10/'],
    ['link-local (instance metadata)', 'https://169.254.169.254/latest/meta-data/'],
    ['CGNAT 100.64/10', 'https://100.100.100.200/'],
    ['this network', 'https://0.0.0.0/'],
    ['multicast', 'https://224.0.0.1/'],
    ['hex shorthand of loopback', 'https://0x7f.1/'],
    ['decimal loopback', 'https://2130706433/'],
    ['IPv6 loopback', 'https://[::1]/'],
    ['IPv6 unspecified', 'https://[::]/'],
    ['IPv6 ULA', 'https://[fd12:3456:789a::1]/'],
    ['IPv6 link-local', 'https://[fe80::1]/'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped private', 'https://[::ffff:10.0.0.1]/'],
    ['NAT64 of a private address', 'https://[64:ff9b::a00:1]/'],
  ])('refuses a %s literal', (_name, url) => {
    expect(reasonOf(url)).toBe('must not point to a private or reserved address');
  });

  it.each([
    'https://localhost/',
    'https://LOCALHOST./',
    'https://api.localhost/',
    'https://printer.local/',
    'https://metadata.google.internal/',
    'https://intranet/',
  ])('refuses the internal name %s', (url) => {
    expect(reasonOf(url)).toBe('must name a public host');
  });

  it('refuses credentials and fragments in the URL, and over-long URLs', () => {
    expect(reasonOf('https://user:pw@hooks.example.com/')).toBe('must not contain credentials');
    expect(reasonOf('https://hooks.example.com/#x')).toBe('must not contain a fragment');
    expect(reasonOf(`https://hooks.example.com/${'a'.repeat(2100)}`)).toMatch(/at most 2048/);
  });

  it('refuses port 0, in AWS and locally', () => {
    expect(reasonOf('https://hooks.example.com:0/')).toBe('must not use port 0');
    expect(reasonOf('https://hooks.example.com:00/')).toBe('must not use port 0');
    expect(reasonOf('http://127.0.0.1:0/hooks', LOCAL)).toBe('must not use port 0');
    expect(reasonOf('https://hooks.example.com:8443/')).toBe('ok');
  });

  it('classifies addresses', () => {
    expect(isBlockedAddress('8.8.8.8')).toBe(false);
    expect(isBlockedAddress('2001:4860:4860::8888')).toBe(false);
    expect(isBlockedAddress('172.15.0.1')).toBe(false);
    expect(isBlockedAddress('172.16.0.1')).toBe(true);
    expect(isBlockedAddress('100.63.255.255')).toBe(false);
    expect(isBlockedAddress('100.64.0.1')).toBe(true);
    expect(isBlockedAddress('not-an-ip')).toBe(true);
  });
});

/** A fake DNS: the resolver port, answering from a table. */
const fakeResolver =
  (answers: Record<string, string[]>): Resolver =>
  async (hostname) =>
    (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const resolver = fakeResolver({
  'public.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'rebind.example.com': ['10.0.0.7'],
  'mixed.example.com': ['93.184.216.34', '169.254.169.254'],
  'v6only.example.com': ['2606:2800:220:1:248:1893:25c8:1946'],
});

describe('resolve-time check (before each delivery)', () => {
  it('passes a name whose every address is public', async () => {
    const addresses = await resolvePublicAddresses(resolver, 'public.example.com');
    expect(addresses.map((entry) => entry.address)).toContain('93.184.216.34');
  });

  it('refuses a public-looking name that resolves to a private address, or to a mix', async () => {
    await expect(resolvePublicAddresses(resolver, 'rebind.example.com')).rejects.toThrow(RefusedTargetError);
    await expect(resolvePublicAddresses(resolver, 'mixed.example.com')).rejects.toThrow(
      /private or reserved/,
    );
    await expect(resolvePublicAddresses(resolver, 'nowhere.example.com')).rejects.toThrow(/did not resolve/);
  });

  it('hands node:net only vetted addresses, in both lookup call styles', async () => {
    const lookup = guardedLookup(resolver);
    const all = await new Promise<LookupAddress[]>((resolve, reject) =>
      lookup('public.example.com', { all: true }, (error, addresses) =>
        error ? reject(error) : resolve(addresses as LookupAddress[]),
      ),
    );
    expect(all).toHaveLength(2);
    const single = await new Promise<[string, number | undefined]>((resolve, reject) =>
      lookup('public.example.com', { family: 4 }, (error, address, family) =>
        error ? reject(error) : resolve([address as string, family]),
      ),
    );
    expect(single).toEqual(['93.184.216.34', 4]);
    const refused = await new Promise<Error | null>((resolve) =>
      lookup('rebind.example.com', {}, (error) => resolve(error)),
    );
    expect(refused).toBeInstanceOf(RefusedTargetError);
    const noV4 = await new Promise<Error | null>((resolve) =>
      lookup('v6only.example.com', { family: 4 }, (error) => resolve(error)),
    );
    expect(noV4?.message).toMatch(/no IPv4 address/);
  });

  it('the real transport never connects to a name that resolves privately', async () => {
    const transport = nodeHttpTransport({ resolver });
    const response = await transport.post({
      url: new URL('https://rebind.example.com/hook'),
      headers: { 'content-type': 'application/json' },
      body: '{}',
      timeoutMs: 1000,
    });
    expect(response).toMatchObject({ kind: 'error', error: expect.stringMatching(/private or reserved/) });
  });
});
