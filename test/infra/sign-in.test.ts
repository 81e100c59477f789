import { describe, expect, it } from 'vitest';
import { PAGE_TOKEN_VALIDITY } from '../../infra/constructs/sign-in.ts';
import { synthesize } from './support/synth.ts';
import {
  allows,
  onlyResource,
  props,
  render,
  resourcesOfType,
  statementsOfRole,
} from './support/template-helpers.ts';

/** Issue 18: people sign in to the pages through Cognito (MFA required); the pages take the session. */
const wso = synthesize();
const api = wso.templates.api;

const [poolId, pool] = onlyResource(api, 'AWS::Cognito::UserPool');
const [, client] = onlyResource(api, 'AWS::Cognito::UserPoolClient');
const [restApiId] = onlyResource(api, 'AWS::ApiGateway::RestApi');

function methods(): Map<string, Record<string, unknown>> {
  const resources = resourcesOfType(api, 'AWS::ApiGateway::Resource');
  const pathOf = (resourceId: unknown): string => {
    const rendered = render(resourceId);
    if (rendered === `\${${restApiId}.RootResourceId}`) return '';
    const resource = resources[rendered.slice(2, -1)]!;
    return `${pathOf(props(resource).ParentId)}/${String(props(resource).PathPart)}`;
  };
  return new Map(
    Object.values(resourcesOfType(api, 'AWS::ApiGateway::Method')).map((m) => [
      `${String(props(m).HttpMethod)} ${pathOf(props(m).ResourceId) || '/'}`,
      props(m),
    ]),
  );
}

const authorizers = Object.entries(resourcesOfType(api, 'AWS::ApiGateway::Authorizer'));
const authorizerNamed = (name: string) => authorizers.find(([, a]) => props(a).Name === name)!;

describe('the people\u2019s user pool', () => {
  it('requires MFA with TOTP only, enforces threat protection, and lets no one sign themselves up', () => {
    expect(props(pool)).toMatchObject({
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      UserPoolTier: 'PLUS',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      DeletionProtection: 'ACTIVE',
    });
    expect(props(pool).Policies).toMatchObject({
      PasswordPolicy: { MinimumLength: 14, RequireSymbols: true },
    });
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('has a hosted UI domain', () => {
    const [, domain] = onlyResource(api, 'AWS::Cognito::UserPoolDomain');
    expect(render(props(domain).UserPoolId)).toBe(`\${${poolId}}`);
    expect(render(props(domain).Domain)).toMatch(/^wso-custody-dev-/);
  });

  it('gives the pages a public PKCE client: code flow only, no secret, no password API, short tokens', () => {
    expect(props(client)).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      GenerateSecret: false,
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      IdTokenValidity: PAGE_TOKEN_VALIDITY.toMinutes(),
    });
    expect(props(client).ExplicitAuthFlows ?? []).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    const callbacks = (props(client).CallbackURLs as unknown[]).map(render);
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toContain(`\${${restApiId}}.execute-api.`);
    expect(callbacks[0]).toMatch(/\/v1\/sign-in\/callback$/);
  });

  it('federates to a county\u2019s or state\u2019s own OIDC or SAML provider when the context names one', () => {
    const federated = synthesize({
      context: {
        signInFederation: JSON.stringify([
          {
            kind: 'oidc',
            name: 'PinellasSSO',
            issuerUrl: 'https://login.pinellas.example/',
            clientId: 'wso',
            clientSecretName: 'wso/pinellas-oidc',
          },
          { kind: 'saml', name: 'FloridaSAML', metadataUrl: 'https://idp.fl.example/metadata.xml' },
        ]),
      },
    }).templates.api;
    const providers = Object.values(resourcesOfType(federated, 'AWS::Cognito::UserPoolIdentityProvider'));
    expect(providers.map((p) => [props(p).ProviderName, props(p).ProviderType]).sort()).toEqual([
      ['FloridaSAML', 'SAML'],
      ['PinellasSSO', 'OIDC'],
    ]);
    // The client secret is a dynamic reference, never a value in the template.
    const oidc = providers.find((p) => props(p).ProviderType === 'OIDC')!;
    expect(render(props(oidc).ProviderDetails)).toContain('{{resolve:secretsmanager:wso/pinellas-oidc');
    const [, federatedClient] = onlyResource(federated, 'AWS::Cognito::UserPoolClient');
    // Each provider by reference (its Ref is its name), so the client waits for it.
    expect((props(federatedClient).SupportedIdentityProviders as unknown[]).map(render)).toEqual([
      'COGNITO',
      expect.stringMatching(/^\$\{SignInOidcPinellasSSO/),
      expect.stringMatching(/^\$\{SignInSamlFloridaSAML/),
    ]);
  });

  it('hands the API function the issuer, client and base URL the sign-in discovers', () => {
    const apiFunction = Object.values(resourcesOfType(api, 'AWS::Lambda::Function')).find(
      (f) => props(f).FunctionName === wso.names.apiFunction,
    )!;
    const variables = (props(apiFunction).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(render(variables.SIGN_IN_ISSUER)).toBe(`\${${poolId}.ProviderURL}`);
    expect(render(variables.SIGN_IN_CLIENT_ID)).toMatch(/^\$\{SignInUserPoolPagesClient/);
    expect(render(variables.SIGN_IN_BASE_URL)).toContain(`\${${restApiId}}.execute-api.`);
  });
});

describe('the pages\u2019 authorizer', () => {
  it('is a REQUEST authorizer on the same function, uncached and with no identity source (sessions lock and end at once)', () => {
    const [pageId, page] = authorizerNamed('page-session');
    const [, key] = authorizerNamed('api-key');
    expect(props(page)).toMatchObject({ Type: 'REQUEST', AuthorizerResultTtlInSeconds: 0 });
    expect(props(page).IdentitySource ?? '').toBe('');
    expect(render(props(page).AuthorizerUri)).toBe(render(props(key).AuthorizerUri));
    const all = methods();
    for (const route of [
      'GET /v1/tenants/{tenantId}/hold-board',
      'GET /v1/oversight/states/{state}/dashboard',
    ]) {
      expect(all.get(route), route).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: pageId },
        ApiKeyRequired: false,
      });
    }
  });

  it('keeps the API-key authorizer on every JSON path beside the pages', () => {
    const [keyId] = authorizerNamed('api-key');
    const all = methods();
    for (const route of [
      'ANY /v1/tenants',
      'ANY /v1/tenants/{tenantId}',
      'ANY /v1/tenants/{tenantId}/{proxy+}',
      'ANY /v1/oversight/states',
      'ANY /v1/oversight/states/{state}',
      'ANY /v1/oversight/states/{state}/{proxy+}',
    ]) {
      expect(all.get(route), route).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: keyId },
        ApiKeyRequired: true,
      });
    }
  });

  it('leaves sign-in, its callback and sign-out public', () => {
    const all = methods();
    for (const route of ['GET /v1/sign-in', 'GET /v1/sign-in/callback', 'POST /v1/sign-out']) {
      expect(all.get(route), route).toMatchObject({ AuthorizationType: 'NONE' });
    }
  });

  it('lets the authorizer function read a session with its person, record activity and end it', () => {
    const authorizerFunction = Object.values(resourcesOfType(api, 'AWS::Lambda::Function')).find(
      (f) => props(f).FunctionName === wso.names.authorizerFunction,
    )!;
    const roleId = render(props(authorizerFunction).Role).replace(/^\$\{|\.Arn\}$/g, '');
    const statements = statementsOfRole(api, roleId);
    for (const action of ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      expect(
        statements.some((statement) => allows(statement, action)),
        action,
      ).toBe(true);
    }
    expect(statements.some((statement) => allows(statement, 'dynamodb:PutItem'))).toBe(false);
  });
});
