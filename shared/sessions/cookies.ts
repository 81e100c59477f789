/**
 * The one home of the cookie rules. Browsers refuse a `__Host-` cookie that is not `Secure`, and
 * `Secure` cookies are not sent over plain http, so the local runtime (http://127.0.0.1) uses the
 * same names without the prefix; everything else (HttpOnly, Path=/, no Domain) is the same.
 */
export interface CookiePolicy {
  /** True behind https (AWS); false only on the local http runtime. */
  secure: boolean;
}

const SESSION = 'wso-session';
const SIGN_IN = 'wso-sign-in';

const named = (policy: CookiePolicy, base: string): string => (policy.secure ? `__Host-${base}` : base);

export const sessionCookieName = (policy: CookiePolicy): string => named(policy, SESSION);
export const signInCookieName = (policy: CookiePolicy): string => named(policy, SIGN_IN);

interface CookieOptions {
  /** Strict for the session; Lax for the sign-in cookie, which must survive the provider's redirect back. */
  sameSite: 'Strict' | 'Lax';
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

function serialize(policy: CookiePolicy, name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${options.sameSite}`];
  parts.push(`Max-Age=${options.maxAge}`);
  if (policy.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The session cookie: Strict, so no other site's page can make the browser send it. */
export const sessionCookie = (policy: CookiePolicy, value: string, maxAgeSeconds: number): string =>
  serialize(policy, sessionCookieName(policy), value, { sameSite: 'Strict', maxAge: maxAgeSeconds });

export const clearSessionCookie = (policy: CookiePolicy): string =>
  serialize(policy, sessionCookieName(policy), '', { sameSite: 'Strict', maxAge: 0 });

/** Binds a pending sign-in to this browser; Lax so the identity provider's redirect back carries it. */
export const signInCookie = (policy: CookiePolicy, value: string, maxAgeSeconds: number): string =>
  serialize(policy, signInCookieName(policy), value, { sameSite: 'Lax', maxAge: maxAgeSeconds });

/** One cookie's value from a Cookie header (the last one wins if a name repeats); undefined if absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let found: string | undefined;
  for (const part of header.split(/;\s*|,\s*/)) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) found = part.slice(index + 1).trim();
  }
  return found;
}
