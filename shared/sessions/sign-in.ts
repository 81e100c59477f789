import type * as Oidc from 'openid-client';
import type { Clock } from '../clock.ts';
import { randomSecret } from '../ids.ts';
import { findPersonByClaims, type Person } from '../people/people.ts';
import type { Db } from '../store/db.ts';
import { putPendingSignIn, takePendingSignIn } from '../store/sessions.ts';
import { MINUTE_MS, toIsoSeconds } from '../util/time.ts';
import type { CookiePolicy } from './cookies.ts';

/**
 * OpenID Connect sign-in for the HTML pages: authorization code with PKCE, through `openid-client`
 * (discovery, the authorization URL, the code exchange and every ID-token check). The provider is
 * Cognito in AWS (MFA enforced there) and the embedded `oidc-provider` locally.
 */
export interface SignInSettings {
  /** The provider's issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  /** The pages' app client: public, PKCE, no secret. */
  clientId: string;
  /** The API's public base URL, stage included, without a trailing slash. */
  baseUrl: string;
  cookies: CookiePolicy;
  /** Only the local runtime's provider answers on plain http. */
  allowHttp?: boolean;
}

/** The sign-in port: settings plus the provider's discovered configuration (fetched once). */
export interface SignIn {
  settings: SignInSettings;
  configuration(): Promise<Oidc.Configuration>;
}

/**
 * openid-client is loaded on the first sign-in, not at module init: the API function's cold start
 * (DESIGN.md §8) does not pay for it on the JSON routes, which never sign anyone in.
 */
const openidClient = (): Promise<typeof Oidc> => import('openid-client');

export function createSignIn(settings: SignInSettings): SignIn {
  let discovered: Promise<Oidc.Configuration> | undefined;
  return {
    settings,
    configuration() {
      discovered ??= openidClient()
        .then((oidc) =>
          oidc.discovery(
            new URL(settings.issuer),
            settings.clientId,
            undefined,
            oidc.None(),
            settings.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
          ),
        )
        .catch((error: unknown) => {
          discovered = undefined; // a provider that was down is asked again next time
          throw error;
        });
      return discovered;
    },
  };
}

/** Reads the settings the CDK app gives the API function; absent variables: no sign-in. */
export function signInFromEnvironment(env: {
  SIGN_IN_ISSUER?: string | undefined;
  SIGN_IN_CLIENT_ID?: string | undefined;
  SIGN_IN_BASE_URL?: string | undefined;
}): SignIn | undefined {
  const { SIGN_IN_ISSUER, SIGN_IN_CLIENT_ID, SIGN_IN_BASE_URL } = env;
  if (!SIGN_IN_ISSUER || !SIGN_IN_CLIENT_ID || !SIGN_IN_BASE_URL) return undefined;
  return createSignIn({
    issuer: SIGN_IN_ISSUER,
    clientId: SIGN_IN_CLIENT_ID,
    baseUrl: SIGN_IN_BASE_URL.replace(/\/$/, ''),
    cookies: { secure: true },
  });
}

export const SIGN_IN_PATH = '/v1/sign-in';
export const CALLBACK_PATH = '/v1/sign-in/callback';
/** A started sign-in must come back within this time (virtual clock). */
export const PENDING_SIGN_IN_MS = 10 * MINUTE_MS;

export const callbackUrl = (settings: SignInSettings): string => `${settings.baseUrl}${CALLBACK_PATH}`;

/** Where the pages send a person without a session: sign in, then come back to `returnTo`. */
export const signInUrl = (settings: SignInSettings, returnTo?: string): string =>
  `${settings.baseUrl}${SIGN_IN_PATH}${returnTo ? `?returnTo=${encodeURIComponent(returnTo)}` : ''}`;

/** Only a path of this API: never another origin (no open redirect), never a protocol-relative URL. */
export const RETURN_TO = /^\/v1\/(?!\/)[A-Za-z0-9/_.~%-]*(?:\?[A-Za-z0-9=&_.~%+-]*)?$/;

/** The page a person lands on when the sign-in named none: their own dashboard or board. */
export function homePageOf(person: Pick<Person, 'scope'>): string {
  const { scope } = person;
  if (scope.kind === 'tenant') return `/v1/tenants/${scope.tenantId}/hold-board`;
  if (scope.kind === 'state') return `/v1/oversight/states/${scope.state}/dashboard`;
  return '/v1/openapi.json';
}

interface PendingSignIn {
  codeVerifier: string;
  nonce: string;
  returnTo?: string;
  createdAt: string;
}

export interface StartedSignIn {
  /** The provider's authorization URL (PKCE S256, state, nonce, prompt=login). */
  location: string;
  /** The value of the Lax sign-in cookie that binds the callback to this browser. */
  state: string;
  maxAgeSeconds: number;
}

/**
 * Starts a sign-in: the PKCE verifier and nonce stay server-side (single use, keyed by the state's
 * hash); the browser carries only the state, in the URL and in the Lax sign-in cookie. `prompt=login`
 * makes the provider ask for the credentials and the second factor again, so an idle lock is a lock.
 */
export async function beginSignIn(
  deps: { db: Db; clock: Clock; signIn: SignIn },
  returnTo: string | undefined,
): Promise<StartedSignIn> {
  const [oidc, config] = await Promise.all([openidClient(), deps.signIn.configuration()]);
  const state = randomSecret(32);
  const pending: PendingSignIn = {
    codeVerifier: oidc.randomPKCECodeVerifier(),
    nonce: oidc.randomNonce(),
    ...(returnTo ? { returnTo } : {}),
    createdAt: toIsoSeconds(deps.clock.now()),
  };
  const collectAfter = Math.ceil((deps.clock.now().getTime() + PENDING_SIGN_IN_MS) / 1000) + 86_400;
  await putPendingSignIn(deps.db, state, { ...pending }, collectAfter);
  const location = oidc.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl(deps.signIn.settings),
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce: pending.nonce,
    prompt: 'login',
  });
  return { location: location.href, state, maxAgeSeconds: PENDING_SIGN_IN_MS / 1000 };
}

export type FinishedSignIn =
  | { ok: true; person: Person; returnTo?: string }
  | { ok: false; reason: 'no-pending-sign-in' | 'provider-refused' | 'not-mapped'; detail: string };

/**
 * Finishes a sign-in at the callback: the state must be the one this browser's cookie carries and
 * still pending (taken once), the code is exchanged with the PKCE verifier, and openid-client checks
 * the ID token (issuer, audience, nonce, expiry, signature). The person is then looked up by issuer
 * and subject, or by verified e-mail.
 */
export async function finishSignIn(
  deps: { db: Db; clock: Clock; signIn: SignIn },
  callbackParams: URLSearchParams,
  cookieState: string | undefined,
): Promise<FinishedSignIn> {
  const state = callbackParams.get('state');
  if (!state || !cookieState || state !== cookieState) {
    return {
      ok: false,
      reason: 'no-pending-sign-in',
      detail: 'The sign-in was not started in this browser.',
    };
  }
  const pending = (await takePendingSignIn(deps.db, state)) as PendingSignIn | undefined;
  if (!pending || deps.clock.now().getTime() - Date.parse(pending.createdAt) > PENDING_SIGN_IN_MS) {
    return { ok: false, reason: 'no-pending-sign-in', detail: 'The sign-in expired or was already used.' };
  }
  const [oidc, config] = await Promise.all([openidClient(), deps.signIn.configuration()]);
  const current = new URL(callbackUrl(deps.signIn.settings));
  current.search = callbackParams.toString();
  let claims: Oidc.IDToken | undefined;
  try {
    const tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    claims = tokens.claims();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: 'provider-refused', detail };
  }
  if (!claims) return { ok: false, reason: 'provider-refused', detail: 'No ID token.' };
  const person = await findPersonByClaims(deps.db, {
    iss: claims.iss,
    sub: claims.sub,
    email: typeof claims.email === 'string' ? claims.email : undefined,
    emailVerified: claims.email_verified === true,
  });
  if (!person) {
    return {
      ok: false,
      reason: 'not-mapped',
      detail: 'You signed in, but no county or state has given your account access to these pages.',
    };
  }
  return { ok: true, person, ...(pending.returnTo ? { returnTo: pending.returnTo } : {}) };
}
