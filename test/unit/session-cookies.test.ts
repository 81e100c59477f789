import { describe, expect, it } from 'vitest';
import {
  clearSessionCookie,
  readCookie,
  sessionCookie,
  signInCookie,
} from '../../shared/sessions/cookies.ts';

/** The one cookie rule (issue 18): `__Host-` and Secure behind https, the same names without them on local http. */
describe('session cookies', () => {
  it('behind https: __Host- prefix, Secure, HttpOnly, Path=/, no Domain; Strict for the session, Lax for sign-in', () => {
    const https = { secure: true };
    expect(sessionCookie(https, 'v', 28_800)).toBe(
      '__Host-wso-session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800; Secure',
    );
    expect(signInCookie(https, 's', 600)).toBe(
      '__Host-wso-sign-in=s; Path=/; HttpOnly; SameSite=Lax; Max-Age=600; Secure',
    );
    expect(clearSessionCookie(https)).toBe(
      '__Host-wso-session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure',
    );
    for (const cookie of [sessionCookie(https, 'v', 1), signInCookie(https, 's', 1)]) {
      expect(cookie).not.toMatch(/domain=/i);
    }
  });

  it('on the local http runtime: no prefix and no Secure (browsers refuse both over http)', () => {
    const http = { secure: false };
    expect(sessionCookie(http, 'v', 60)).toBe('wso-session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60');
    expect(signInCookie(http, 's', 60)).toBe('wso-sign-in=s; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; wso-session=t.x.Y.z; b=2', 'wso-session')).toBe('t.x.Y.z');
    expect(readCookie('xwso-session=1', 'wso-session')).toBeUndefined();
    expect(readCookie(undefined, 'wso-session')).toBeUndefined();
  });
});
