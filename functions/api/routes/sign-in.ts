import * as z from 'zod';
import type { AppDeps } from '../../../shared/app-deps.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute, type HttpResult } from '../../../shared/http/route.ts';
import {
  clearSessionCookie,
  readCookie,
  sessionCookie,
  sessionCookieName,
  signInCookie,
  signInCookieName,
} from '../../../shared/sessions/cookies.ts';
import { SIGN_IN_PAGE_HEADERS, signInPage } from '../../../shared/sessions/pages.ts';
import { endSession, startSession } from '../../../shared/sessions/sessions.ts';
import {
  beginSignIn,
  CALLBACK_PATH,
  finishSignIn,
  homePageOf,
  RETURN_TO,
  SIGN_IN_PATH,
  type SignIn,
  signInUrl,
} from '../../../shared/sessions/sign-in.ts';

/**
 * People sign in to the HTML pages here (OpenID Connect, authorization code + PKCE). These routes
 * are public by nature: they are how a person without a credential gets one. They set cookies for
 * the pages only; no JSON route reads them (shared/sessions/page-auth.ts).
 */
const returnTo = z.string().max(512).regex(RETURN_TO, 'must be a path of this API').meta({
  description: 'The page to come back to after signing in (a path under /v1)',
  example: '/v1/oversight/states/FL/dashboard',
});

const html = (status: number, body: string, headers: Record<string, string> = {}): HttpResult => ({
  status,
  body,
  contentType: 'text/html; charset=utf-8',
  headers: { ...SIGN_IN_PAGE_HEADERS, ...headers },
});

function signInOf(deps: AppDeps): SignIn {
  if (!deps.signIn) throw problems.notFound('Sign-in');
  return deps.signIn;
}

export const signInRoute = defineRoute({
  operationId: 'signIn',
  method: 'GET',
  path: SIGN_IN_PATH,
  summary: 'Starts a person\u2019s sign-in to the HTML pages at the identity provider (OIDC, PKCE)',
  tag: 'Sign-in',
  access: 'public',
  // Writes the pending sign-in outside any tenant partition: the admin function's role (issue 19).
  db: 'function-role',
  query: z.strictObject({ returnTo: returnTo.optional() }),
  responses: {
    303: { description: 'To the identity provider; sets the SameSite=Lax sign-in cookie' },
    200: {
      description: 'The identity provider\u2019s sign-in form, after the redirect',
      contentType: 'text/html',
    },
  },
  problems: ['not-found'],
  handle: async ({ query }, { deps }) => {
    const signIn = signInOf(deps);
    const started = await beginSignIn({ ...deps, signIn }, query.returnTo);
    return {
      status: 303,
      headers: {
        location: started.location,
        'set-cookie': signInCookie(signIn.settings.cookies, started.state, started.maxAgeSeconds),
      },
    };
  },
});

const callbackQuery = z.strictObject({
  code: z.string().max(2048).optional(),
  state: z.string().max(256).optional(),
  iss: z.string().max(512).optional(),
  session_state: z.string().max(512).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(1024).optional(),
  error_uri: z.string().max(1024).optional(),
});

export const signInCallbackRoute = defineRoute({
  operationId: 'signInCallback',
  method: 'GET',
  path: CALLBACK_PATH,
  summary: 'The identity provider returns here: checks the answer and opens a session (cookie)',
  tag: 'Sign-in',
  access: 'public',
  // Opens the session in the person's partition, whichever it is.
  db: 'function-role',
  query: callbackQuery,
  responses: {
    200: {
      description: 'Signed in: a page that moves on to the page asked for and sets the session cookie',
      contentType: 'text/html',
    },
    303: { description: 'No sign-in of this browser was pending: start one' },
    403: {
      description: 'Signed in at the provider, but no one gave this identity access',
      contentType: 'text/html',
    },
    400: { description: 'The provider refused or answered wrongly', contentType: 'text/html' },
  },
  problems: ['not-found'],
  handle: async ({ query }, { deps, headers }) => {
    const signIn = signInOf(deps);
    const { settings } = signIn;
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
    const cookieState = readCookie(headers.cookie, signInCookieName(settings.cookies));
    const finished = await finishSignIn({ ...deps, signIn }, params, cookieState);
    const again = { href: signInUrl(settings), text: 'Sign in again' };
    if (!finished.ok) {
      if (finished.reason === 'no-pending-sign-in') {
        return { status: 303, headers: { location: signInUrl(settings) } };
      }
      deps.logger.warn('sign-in refused', { reason: finished.reason, detail: finished.detail });
      const status = finished.reason === 'not-mapped' ? 403 : 400;
      return html(status, signInPage({ title: 'Sign-in failed', message: finished.detail, link: again }));
    }
    const session = await startSession(deps, finished.person);
    deps.logger.info('signed in', { personId: finished.person.personId, role: finished.person.role });
    const target = `${settings.baseUrl}${finished.returnTo ?? homePageOf(finished.person)}`;
    return html(
      200,
      signInPage({
        title: 'Signed in',
        message: `Signed in as ${finished.person.name}.`,
        link: { href: target, text: 'Continue' },
        next: true,
      }),
      { 'set-cookie': sessionCookie(settings.cookies, session.cookieValue, session.maxAgeSeconds) },
    );
  },
});

export const signOutRoute = defineRoute({
  operationId: 'signOut',
  method: 'POST',
  path: '/v1/sign-out',
  summary: 'Ends the person\u2019s session at once and clears its cookie',
  tag: 'Sign-in',
  access: 'public',
  db: 'function-role',
  responses: { 200: { description: 'Signed out', contentType: 'text/html' } },
  problems: ['not-found'],
  handle: async (_input, { deps, headers }) => {
    const signIn = signInOf(deps);
    const policy = signIn.settings.cookies;
    const cookie = readCookie(headers.cookie, sessionCookieName(policy));
    if (cookie) await endSession(deps.db, cookie);
    return html(
      200,
      signInPage({
        title: 'Signed out',
        message: 'You have signed out of the WSO Custody Platform.',
        link: { href: signInUrl(signIn.settings), text: 'Sign in again' },
      }),
      { 'set-cookie': clearSessionCookie(policy) },
    );
  },
});

export const signInRoutes = [signInRoute, signInCallbackRoute, signOutRoute];
