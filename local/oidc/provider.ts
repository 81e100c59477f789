import { generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { randomSecret } from '../../shared/ids.ts';
import { escapeHtml } from '../../shared/reports/html.ts';
import { closeServer, listen } from '../http-server.ts';
import { type LocalAccount, totpOf } from './demo-people.ts';

/**
 * The local runtime's OpenID provider: `oidc-provider` (a certified OpenID Provider library) on its
 * own port, standing in for Cognito. Its sign-in form asks for the username, the password and a
 * TOTP code, as Cognito's MFA-required pool does in AWS. Tokens use real time (as the provider and
 * an authenticator app do); the platform's sessions use the virtual clock.
 */
export const LOCAL_CLIENT_ID = 'wso-pages';

export interface LocalOidc {
  issuer: string;
  clientId: string;
  accounts: readonly LocalAccount[];
  stop(): Promise<void>;
}

export interface LocalOidcOptions {
  host: string;
  port?: number;
  /** The platform's sign-in callback, registered as the client's one redirect URI. */
  redirectUri: string;
  accounts: readonly LocalAccount[];
}

export async function startLocalOidc(options: LocalOidcOptions): Promise<LocalOidc> {
  let provider: Provider | undefined;
  const server: Server = createServer((request, response) => {
    if (!provider) {
      response.writeHead(503).end();
      return;
    }
    route(provider, options.accounts, request, response).catch((error: unknown) => {
      // oidc-provider's own errors carry their status (an expired or unknown interaction is a 400).
      const status = (error as { statusCode?: unknown }).statusCode;
      if (!response.headersSent) {
        response.writeHead(typeof status === 'number' ? status : 500, { 'content-type': 'text/plain' });
      }
      response.end(
        typeof status === 'number'
          ? 'This sign-in has expired or was started in another browser: start again from the page.'
          : 'The local identity provider failed.',
      );
    });
  });
  const port = await listen(server, options.port ?? 0, options.host);
  const issuer = `http://${options.host}:${port}`;
  provider = new Provider(issuer, configuration(options));
  return {
    issuer,
    clientId: LOCAL_CLIENT_ID,
    accounts: options.accounts,
    stop: () => closeServer(server),
  };
}

function configuration(options: LocalOidcOptions): Configuration {
  const byLogin = new Map(options.accounts.map((account) => [account.login, account]));
  return {
    clients: [
      {
        client_id: LOCAL_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'email', 'profile'],
    // The ID token carries email and name, as Cognito's does (the platform reads no userinfo).
    conformIdTokenClaims: false,
    ttl: {
      Interaction: 10 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
      AccessToken: 5 * 60,
      IdToken: 5 * 60,
      AuthorizationCode: 60,
    },
    cookies: { keys: [randomSecret(32)] },
    // An RS256 signing key per start (as Cognito signs): ID tokens live minutes, and a restart ends the provider's sessions anyway.
    jwks: {
      keys: [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => {
      const account = byLogin.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, email: account.email, email_verified: true, name: account.name }),
      };
    },
    // First-party pages: no consent screen (the recipe from oidc-provider's documentation).
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const clientId = oidc.client?.clientId;
      const accountId = oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(clientId);
      if (grantId) {
        const existing = await oidc.provider.Grant.find(grantId);
        if (existing) return existing;
      }
      const grant = new oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
}

async function route(
  provider: Provider,
  accounts: readonly LocalAccount[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const interaction = /^\/interaction\/([\w-]+)$/.exec(path);
  if (!interaction) {
    provider.callback()(request, response);
    return;
  }
  const details = await provider.interactionDetails(request, response);
  if (request.method === 'GET') {
    sendForm(response, details.uid, '');
    return;
  }
  const form = new URLSearchParams(await readBody(request));
  const account = verify(accounts, form.get('username'), form.get('password'), form.get('code'));
  if (!account) {
    sendForm(response, details.uid, 'Wrong username, password or code.', 401);
    return;
  }
  await provider.interactionFinished(
    request,
    response,
    { login: { accountId: account.login, amr: ['pwd', 'otp'] } },
    { mergeWithLastSubmission: false },
  );
}

/** Password and TOTP code (±1 step); both are checked whatever the first one says. */
function verify(
  accounts: readonly LocalAccount[],
  login: string | null,
  password: string | null,
  code: string | null,
): LocalAccount | undefined {
  const account = accounts.find((candidate) => candidate.login === login);
  if (!account || password === null || code === null) return undefined;
  const given = Buffer.from(password);
  const expected = Buffer.from(account.password);
  const passwordOk = given.length === expected.length && timingSafeEqual(given, expected);
  const codeOk = /^\d{6}$/.test(code) && totpOf(account).validate({ token: code, window: 1 }) !== null;
  return passwordOk && codeOk ? account : undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 16_384) request.destroy(new Error('form too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendForm(response: ServerResponse, uid: string, error: string, status = 200): void {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in: WSO local identity provider</title></head>
<body>
<h1>Sign in</h1>
<p>Local identity provider (stands in for Cognito, which enforces MFA in AWS).</p>
${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}">
<p><label>Username <input name="username" id="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label></p>
<p><label>Authenticator code <input name="code" id="code" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" required></label></p>
<p><button type="submit" id="sign-in">Sign in</button></p>
</form>
</body></html>`;
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No form-action: Chrome applies it to the redirects after the POST, which end on the platform's origin.
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  });
  response.end(html);
}
