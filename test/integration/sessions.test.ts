import { beforeAll, describe, expect, it } from 'vitest';
import type { KeyScope, Role } from '../../shared/auth/principal.ts';
import type { Person } from '../../shared/people/people.ts';
import type { PersonView } from '../../shared/people/schemas.ts';
import { sessionCookieName } from '../../shared/sessions/cookies.ts';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, startSession } from '../../shared/sessions/sessions.ts';
import { tenantPk } from '../../shared/store/keys.ts';
import { createTenant, expectProblem, issueKey } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * Sessions are for the HTML pages only (issue 18). A session cookie never authorizes a JSON call;
 * a forged, expired, idle or revoked session gets the sign-in redirect, never data; removing a
 * person's mapping ends their sessions at once. Sessions are made by the same code the sign-in
 * callback runs (startSession); the full OIDC round trip is test/browser/dashboard.test.ts.
 */
const runtime = useRuntime();
const COUNTY = 'sess-pinellas';
const OTHER = 'sess-other';
let api: ApiClient;
let countyAdminKey: string;

const HTML = 'text/html,application/xhtml+xml';
const MINUTE = 60_000;

async function mapPerson(path: string, key: string, body: Record<string, unknown>): Promise<PersonView> {
  const response = await api.post<PersonView>(path, { key, body });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/** A session for a mapped person, as the callback would open it: returns the Cookie header. */
async function sessionFor(view: PersonView, scope: KeyScope): Promise<string> {
  const person: Person = {
    personId: view.personId,
    name: view.name,
    role: view.role as Role,
    scope,
    identity: { kind: 'email', email: view.email ?? '' },
    createdAt: view.createdAt,
  };
  const session = await startSession(runtime().deps, person);
  return `${sessionCookieName({ secure: false })}=${session.cookieValue}`;
}

const page = (path: string, cookie: string, accept = HTML) =>
  fetch(runtime().url + path, { headers: { cookie, accept }, redirect: 'manual' });

const advance = async (ms: number) => {
  runtime().clock.advance(ms);
};

function expectSignIn(response: Response, returnTo: string) {
  expect(response.status).toBe(303);
  const location = new URL(response.headers.get('location') ?? '');
  expect(location.pathname).toBe('/v1/sign-in');
  expect(location.searchParams.get('returnTo')).toBe(returnTo);
}

beforeAll(async () => {
  api = new ApiClient(runtime().url);
  const admin = runtime().adminKey;
  await createTenant(api, admin, COUNTY, 'FL');
  await createTenant(api, admin, OTHER, 'FL');
  countyAdminKey = (await issueKey(api, admin, COUNTY, 'county-admin')).apiKey;
});

describe('people mappings', () => {
  it('a county admin maps people of its own county only; an identity maps once; the body is strict', async () => {
    const body = { name: 'Shift supervisor', email: 'super@pinellas.example', role: 'county-admin' };
    const created = await api.post<PersonView>(`/v1/tenants/${COUNTY}/people`, { key: countyAdminKey, body });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ name: 'Shift supervisor', role: 'county-admin' });
    expectProblem(await api.post(`/v1/tenants/${COUNTY}/people`, { key: countyAdminKey, body }), 409);
    expectProblem(await api.post(`/v1/tenants/${OTHER}/people`, { key: countyAdminKey, body }), 404);
    // A county admin cannot make state auditors (a wrong role on a state route: 403), nor platform admins.
    expectProblem(
      await api.post(`/v1/states/FL/people`, {
        key: countyAdminKey,
        body: { ...body, role: 'state-oversight' },
      }),
      403,
    );
    for (const bad of [
      { ...body, role: 'platform-admin' },
      { ...body, issuer: 'https://idp.example', subject: 'abc' },
      { name: 'x', role: 'county-admin' },
      { name: 'x', role: 'county-admin', issuer: 'https://idp.example' },
      { ...body, extra: true },
    ]) {
      expectProblem(await api.post(`/v1/tenants/${COUNTY}/people`, { key: countyAdminKey, body: bad }), 400);
    }
    const list = await api.get<{ items: PersonView[] }>(`/v1/tenants/${COUNTY}/people`, {
      key: countyAdminKey,
    });
    expect(list.body.items.map((p) => p.email)).toEqual(['super@pinellas.example']);
  });
});

describe('sessions authorize the pages, and only the pages', () => {
  let auditor: PersonView;
  let admin: PersonView;

  beforeAll(async () => {
    auditor = await mapPerson('/v1/states/FL/people', runtime().adminKey, {
      name: 'FL auditor',
      email: 'auditor@fl.example',
    });
    admin = await mapPerson(`/v1/tenants/${COUNTY}/people`, countyAdminKey, {
      name: 'County admin',
      issuer: 'https://idp.pinellas.example',
      subject: 'admin-1',
      role: 'county-admin',
    });
  });

  it('stores the session in the person\u2019s own partition, as a hash', async () => {
    const cookie = await sessionFor(admin, { kind: 'tenant', tenantId: COUNTY });
    const secret = cookie.split('.').at(-1) ?? '';
    const items = await runtime().deps.db.doc.send(
      new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
        TableName: runtime().deps.db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':pk': tenantPk(COUNTY), ':s': 'SESSION#' },
      }),
    );
    expect(items.Items?.length).toBeGreaterThan(0);
    expect(JSON.stringify(items.Items)).not.toContain(secret);
  });

  it('a state auditor\u2019s session opens its dashboard, never another state\u2019s, and no JSON route', async () => {
    const cookie = await sessionFor(auditor, { kind: 'state', state: 'FL' });
    const dashboard = await page('/v1/oversight/states/FL/dashboard', cookie);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain('WSO custody oversight');
    expect((await page('/v1/oversight/states/GA/dashboard', cookie)).status).toBe(404);
    // The same figures as JSON: the cookie is no credential there, whatever Accept says.
    for (const accept of [HTML, 'application/json', '*/*']) {
      const report = await page('/v1/oversight/states/FL/report', cookie, accept);
      expect(report.status).toBe(401);
      expect(await report.text()).not.toContain('counties');
    }
  });

  it('a county admin\u2019s session opens its hold board, not another county\u2019s, and never writes', async () => {
    const cookie = await sessionFor(admin, { kind: 'tenant', tenantId: COUNTY });
    expect((await page(`/v1/tenants/${COUNTY}/hold-board`, cookie)).status).toBe(200);
    expect((await page(`/v1/tenants/${OTHER}/hold-board`, cookie)).status).toBe(404);
    expect((await page(`/v1/tenants/${COUNTY}`, cookie)).status).toBe(401);
    const write = await fetch(`${runtime().url}/v1/tenants/${COUNTY}/people`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Sneaky', email: 'x@example.com', role: 'county-admin' }),
    });
    expect(write.status).toBe(401);
    const list = await api.get<{ items: PersonView[] }>(`/v1/tenants/${COUNTY}/people`, {
      key: countyAdminKey,
    });
    expect(list.body.items.map((p) => p.name)).not.toContain('Sneaky');
  });

  it('no cookie: a browser is sent to sign in and back; any other client gets 401', async () => {
    expectSignIn(await page('/v1/tenants/x-y-z/hold-board?a=1', ''), '/v1/tenants/x-y-z/hold-board?a=1');
    expectProblem(await api.get(`/v1/tenants/${COUNTY}/hold-board`), 401, 'unauthorized');
  });

  it('a forged or malformed cookie gets the sign-in page (and is cleared), never data', async () => {
    const genuine = await sessionFor(auditor, { kind: 'state', state: 'FL' });
    const name = sessionCookieName({ secure: false });
    const forged = [
      `${name}=${genuine.split('=')[1]?.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`,
      `${name}=s.GA.${auditor.personId}.${'A'.repeat(43)}`,
      `${name}=${genuine.split('=')[1]?.replace('s.FL.', 's.GA.')}`,
      `${name}=garbage`,
    ];
    for (const cookie of forged) {
      const response = await page('/v1/oversight/states/FL/dashboard', cookie);
      expectSignIn(response, '/v1/oversight/states/FL/dashboard');
      expect(response.headers.get('set-cookie')).toMatch(new RegExp(`^${name}=; .*Max-Age=0`));
    }
  });

  it('locks after 30 idle minutes; activity keeps it; 8 hours end it whatever the activity', async () => {
    const idle = await sessionFor(auditor, { kind: 'state', state: 'FL' });
    const active = await sessionFor(auditor, { kind: 'state', state: 'FL' });
    const path = '/v1/oversight/states/FL/dashboard';
    await advance(SESSION_IDLE_MS - MINUTE);
    expect((await page(path, active)).status).toBe(200);
    await advance(2 * MINUTE);
    expectSignIn(await page(path, idle), path);
    expect((await page(path, active)).status).toBe(200);
    // The idle session stays ended, even if used again right away.
    expectSignIn(await page(path, idle), path);
    // Active every 20 minutes until the absolute limit.
    let elapsed = SESSION_IDLE_MS + MINUTE;
    while (elapsed + 20 * MINUTE <= SESSION_ABSOLUTE_MS) {
      await advance(20 * MINUTE);
      elapsed += 20 * MINUTE;
      expect((await page(path, active)).status).toBe(200);
    }
    await advance(SESSION_ABSOLUTE_MS - elapsed + MINUTE);
    expectSignIn(await page(path, active), path);
  });

  it('removing the mapping ends the person\u2019s sessions at once; mapping again does not revive them', async () => {
    const person = await mapPerson(`/v1/tenants/${COUNTY}/people`, countyAdminKey, {
      name: 'Leaving',
      email: 'leaving@pinellas.example',
      role: 'ice-liaison',
    });
    const cookie = await sessionFor(person, { kind: 'tenant', tenantId: COUNTY });
    const board = `/v1/tenants/${COUNTY}/hold-board`;
    expect((await page(board, cookie)).status).toBe(200);
    const removed = await api.delete(`/v1/tenants/${COUNTY}/people/${person.personId}`, {
      key: countyAdminKey,
    });
    expect(removed.status).toBe(204);
    expectSignIn(await page(board, cookie), board);
    await mapPerson(`/v1/tenants/${COUNTY}/people`, countyAdminKey, {
      name: 'Leaving',
      email: 'leaving@pinellas.example',
      role: 'ice-liaison',
    });
    expectSignIn(await page(board, cookie), board);
    expectProblem(
      await api.delete(`/v1/tenants/${COUNTY}/people/${person.personId}`, { key: countyAdminKey }),
      404,
    );
    // Both changes are on the county's audit chain, one chain per person, with who made them.
    const events = await api.get<{
      items: { type: string; subject: unknown; seq: number; actor: unknown }[];
    }>(`/v1/tenants/${COUNTY}/audit/events?limit=100`, { key: countyAdminKey });
    expect(events.status, events.text).toBe(200);
    const ofPerson = events.body.items.filter(
      (event) => JSON.stringify(event.subject) === JSON.stringify({ kind: 'signin', id: person.personId }),
    );
    expect(ofPerson.map(({ type, seq }) => [type, seq])).toEqual([
      ['signin.mapped', 1],
      ['signin.removed', 2],
    ]);
    expect(ofPerson[1]?.actor).toMatchObject({ kind: 'credential', role: 'county-admin' });
  });

  it('sign-out ends the session and clears the cookie', async () => {
    const cookie = await sessionFor(auditor, { kind: 'state', state: 'FL' });
    const path = '/v1/oversight/states/FL/dashboard';
    expect((await page(path, cookie)).status).toBe(200);
    const out = await fetch(`${runtime().url}/v1/sign-out`, { method: 'POST', headers: { cookie } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expectSignIn(await page(path, cookie), path);
  });
});

describe('starting a sign-in', () => {
  it('sends the browser to the provider with PKCE and prompt=login, binding the state to a Lax cookie', async () => {
    const response = await fetch(`${runtime().url}/v1/sign-in?returnTo=%2Fv1%2Ftenants%2Fx%2Fhold-board`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin).toBe(runtime().oidc.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('prompt')).toBe('login');
    const state = location.searchParams.get('state');
    expect(response.headers.get('set-cookie')).toBe(
      `wso-sign-in=${state}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`,
    );
  });

  it('refuses to come back anywhere but this API, and a callback without this browser\u2019s state starts over', async () => {
    for (const returnTo of [
      'https://evil.example/',
      '//evil.example/v1/',
      '/v1//evil.example',
      'javascript:x',
    ]) {
      const response = await api.get(`/v1/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
      expectProblem(response, 400, 'validation-error');
    }
    const callback = await fetch(`${runtime().url}/v1/sign-in/callback?code=abc&state=forged`, {
      redirect: 'manual',
      headers: { cookie: 'wso-sign-in=other' },
    });
    expect(callback.status).toBe(303);
    expect(callback.headers.get('set-cookie')).toBeNull();
  });
});
