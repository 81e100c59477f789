import type { KeyScope, Principal, Role } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { randomSecret } from '../ids.ts';
import { type Person, personKeys } from '../people/people.ts';
import type { ItemKey } from '../store/batch-read.ts';
import type { Db } from '../store/db.ts';
import {
  deleteSession,
  putSession,
  readSessionAndPerson,
  sessionKey,
  touchSession,
} from '../store/sessions.ts';
import { MINUTE_MS, toIsoSeconds } from '../util/time.ts';

/**
 * Server-side sessions of people signed in to the HTML pages. The cookie holds a random secret
 * and where the session lives; the table holds only the secret's SHA-256, in the person's own
 * partition (`TENANT#<id>`, `STATE#<st>` or `PLATFORM`), so a county's sessions are county data.
 * Every check reads the session and the person's mapping together (one BatchGetItem): a removed
 * mapping ends the session at once, and so do the idle and absolute limits, on the clock port.
 */

/** CJIS Security Policy 5.5.5: a session lock after at most 30 minutes without activity. */
export const SESSION_IDLE_MS = 30 * MINUTE_MS;
/** A sign-in lasts a working shift at most, however active. */
export const SESSION_ABSOLUTE_MS = 8 * 60 * MINUTE_MS;
/** Activity is recorded at most once a minute per session: one write per minute, not per page. */
const TOUCH_RESOLUTION_MS = MINUTE_MS;

interface SessionItem {
  personId: string;
  role: Role;
  scope: KeyScope;
  name: string;
  createdAt: string;
  lastSeenAt: string;
}

interface CookieParts {
  scope: KeyScope;
  personId: string;
  secret: string;
}

const COOKIE_VALUE = /^(t|s|p)\.([a-z0-9-]{3,40}|[A-Z]{2}|-)\.([0-9A-Za-z]{1,40})\.([A-Za-z0-9_-]{43})$/;

const scopeTag = (scope: KeyScope): string =>
  scope.kind === 'tenant' ? `t.${scope.tenantId}` : scope.kind === 'state' ? `s.${scope.state}` : 'p.-';

function parseCookieValue(value: string): CookieParts | undefined {
  const match = COOKIE_VALUE.exec(value);
  if (!match) return undefined;
  const [, kind, owner = '', personId = '', secret = ''] = match;
  if (kind === 't' && /^[a-z0-9-]{3,40}$/.test(owner)) {
    return { scope: { kind: 'tenant', tenantId: owner }, personId, secret };
  }
  if (kind === 's' && /^[A-Z]{2}$/.test(owner))
    return { scope: { kind: 'state', state: owner }, personId, secret };
  if (kind === 'p' && owner === '-') return { scope: { kind: 'platform' }, personId, secret };
  return undefined;
}

/** Where a cookie says its session lives (the partition to read it from), if it is well formed. */
export const sessionScope = (cookieValue: string): KeyScope | undefined =>
  parseCookieValue(cookieValue)?.scope;

export interface StartedSession {
  /** The cookie's value: shown to the browser only. */
  cookieValue: string;
  /** Seconds the cookie may live (the absolute limit; the idle limit is checked server-side). */
  maxAgeSeconds: number;
}

export async function startSession(deps: { db: Db; clock: Clock }, person: Person): Promise<StartedSession> {
  const secret = randomSecret(32);
  const now = deps.clock.now();
  const item: SessionItem = {
    personId: person.personId,
    role: person.role,
    scope: person.scope,
    name: person.name,
    createdAt: toIsoSeconds(now),
    lastSeenAt: toIsoSeconds(now),
  };
  // Garbage collection only: the limits are checked on every request, never left to TTL.
  const collectAfter = Math.ceil((now.getTime() + SESSION_ABSOLUTE_MS) / 1000) + 86_400;
  await putSession(deps.db, sessionKey(person.scope, secret), { ...item }, collectAfter);
  return {
    cookieValue: `${scopeTag(person.scope)}.${person.personId}.${secret}`,
    maxAgeSeconds: SESSION_ABSOLUTE_MS / 1000,
  };
}

export type SessionCheck =
  | { ok: true; principal: Principal }
  | { ok: false; reason: 'malformed' | 'unknown' | 'revoked' | 'idle' | 'expired' };

/** Resolves a session cookie's value to its person, or says why it no longer stands. */
export async function checkSession(
  deps: { db: Db; clock: Clock },
  cookieValue: string,
): Promise<SessionCheck> {
  const parts = parseCookieValue(cookieValue);
  if (!parts) return { ok: false, reason: 'malformed' };
  const { db } = deps;
  const key = sessionKey(parts.scope, parts.secret);
  const personKey = personKeys.pointer(parts.scope, parts.personId);
  const found = await readSessionAndPerson(db, key, personKey);
  const session = found.session as SessionItem | undefined;
  const person = found.person;
  if (!session || session.personId !== parts.personId) return { ok: false, reason: 'unknown' };
  if (!person) {
    await endSessionByKey(db, key);
    return { ok: false, reason: 'revoked' };
  }
  const now = deps.clock.now().getTime();
  if (now - Date.parse(session.createdAt) > SESSION_ABSOLUTE_MS) {
    await endSessionByKey(db, key);
    return { ok: false, reason: 'expired' };
  }
  if (now - Date.parse(session.lastSeenAt) > SESSION_IDLE_MS) {
    await endSessionByKey(db, key);
    return { ok: false, reason: 'idle' };
  }
  await touch(deps, key, session.lastSeenAt);
  return {
    ok: true,
    principal: {
      keyId: `person-${session.personId}`,
      name: session.name,
      role: session.role,
      scope: session.scope,
    },
  };
}

/** Sign-out: the session stops working at once, whatever the browser keeps. */
export async function endSession(db: Db, cookieValue: string): Promise<void> {
  const parts = parseCookieValue(cookieValue);
  if (parts) await endSessionByKey(db, sessionKey(parts.scope, parts.secret));
}

const endSessionByKey = (db: Db, key: ItemKey): Promise<void> => deleteSession(db, key);

async function touch(deps: { db: Db; clock: Clock }, key: ItemKey, lastSeenAt: string) {
  const now = deps.clock.now();
  if (now.getTime() - Date.parse(lastSeenAt) < TOUCH_RESOLUTION_MS) return;
  await touchSession(deps.db, key, toIsoSeconds(now));
}
