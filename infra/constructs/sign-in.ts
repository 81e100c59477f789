import { Duration, RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import * as z from 'zod';
import { CALLBACK_PATH } from '../../shared/sessions/sign-in.ts';

/**
 * People's sign-in to the HTML pages (issue 18): a Cognito user pool with MFA required (TOTP) and
 * threat protection (advanced security) enforced, its hosted UI domain, one public app client for
 * the pages (authorization code + PKCE, no secret), and optional federation to a county's or state's
 * own OpenID Connect or SAML provider, named in the `signInFederation` context (cdk.json or -c):
 *
 *   [{ "kind": "oidc", "name": "PinellasSSO", "issuerUrl": "https://idp.example/", "clientId": "…",
 *      "clientSecretName": "wso/pinellas-oidc-secret" },
 *    { "kind": "saml", "name": "FloridaSAML", "metadataUrl": "https://idp.example/metadata.xml" }]
 *
 * Cognito enforces MFA for its own users; a federated provider's users bring their organisation's
 * MFA (CJIS 5.6 advanced authentication is the provider's duty then, as the agreement says).
 */
const federatedProvider = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('oidc'),
    name: z.string().regex(/^[\w.-]{3,32}$/),
    issuerUrl: z.url({ protocol: /^https$/ }),
    clientId: z.string().min(1),
    /** A Secrets Manager secret holding the client secret (never the secret itself in context). */
    clientSecretName: z.string().min(1),
  }),
  z.strictObject({
    kind: z.literal('saml'),
    name: z.string().regex(/^[\w.-]{3,32}$/),
    metadataUrl: z.url({ protocol: /^https$/ }),
  }),
]);
export type FederatedProvider = z.infer<typeof federatedProvider>;

/** The `signInFederation` context value: JSON text (from -c) or an array (from cdk.json). */
export function federationFromContext(value: unknown): FederatedProvider[] {
  if (value === undefined) return [];
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  return z.array(federatedProvider).parse(parsed);
}

/** A sign-in's ID token is used once, at the callback; the platform keeps its own session. */
export const PAGE_TOKEN_VALIDITY = Duration.minutes(5);

export interface SignInPoolProps {
  readonly userPoolName: string;
  /** Globally unique within the Region: the hosted UI's `<prefix>.auth.<region>.amazoncognito.com`. */
  readonly domainPrefix: string;
  /** The API's base URL (stage included): the app client's callback is `<base>/v1/sign-in/callback`. */
  readonly apiBaseUrl: string;
  readonly federation: readonly FederatedProvider[];
}

export class SignInPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  readonly pagesClient: cognito.UserPoolClient;
  /** The OpenID issuer the API function discovers (`https://cognito-idp.<region>.amazonaws.com/<id>`). */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: SignInPoolProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: props.userPoolName,
      // People are invited by a county or the platform, never sign themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      // Advanced security: compromised-credential and adaptive-risk checks, enforced (not audit only).
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.domain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });

    const federated = props.federation.map((provider) => this.addFederatedProvider(provider));
    this.pagesClient = this.userPool.addClient('PagesClient', {
      userPoolClientName: 'wso-pages',
      // A public client: the code is bound to the browser by PKCE, so no secret lives in the Lambda.
      generateSecret: false,
      // Only the hosted UI signs people in (it runs MFA); no password API for the pages.
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${props.apiBaseUrl.replace(/\/$/, '')}${CALLBACK_PATH}`],
      },
      supportedIdentityProviders: [
        cognito.UserPoolClientIdentityProvider.COGNITO,
        ...federated.map((provider) => cognito.UserPoolClientIdentityProvider.custom(provider.providerName)),
      ],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: PAGE_TOKEN_VALIDITY,
      accessTokenValidity: PAGE_TOKEN_VALIDITY,
      refreshTokenValidity: Duration.hours(1),
    });
    for (const provider of federated) this.pagesClient.node.addDependency(provider);
    this.issuer = this.userPool.userPoolProviderUrl;
  }

  private addFederatedProvider(provider: FederatedProvider): cognito.IUserPoolIdentityProvider & Construct {
    const attributeMapping = { email: cognito.ProviderAttribute.other('email') };
    if (provider.kind === 'oidc') {
      return new cognito.UserPoolIdentityProviderOidc(this, `Oidc${provider.name}`, {
        userPool: this.userPool,
        name: provider.name,
        issuerUrl: provider.issuerUrl,
        clientId: provider.clientId,
        // Resolved by CloudFormation at deploy time: the secret never appears in the template.
        clientSecret: SecretValue.secretsManager(provider.clientSecretName).unsafeUnwrap(),
        scopes: ['openid', 'email'],
        attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
        attributeMapping,
      });
    }
    return new cognito.UserPoolIdentityProviderSaml(this, `Saml${provider.name}`, {
      userPool: this.userPool,
      name: provider.name,
      metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(provider.metadataUrl),
      attributeMapping,
    });
  }
}

/**
 * The HTML pages' REQUEST authorizer (on the same function as the API-key one), with no identity
 * source and no result cache: a session locks after 30 idle minutes and ends at once when the
 * person's mapping is removed. A bearer key is checked as by the TOKEN authorizer; a browser without
 * a valid session passes as `anonymous` for that one method, so the API function (which checks
 * every request again) can send it to sign in; anonymous gets no data. Page methods are the route
 * table's `page: true` routes (infra/constructs/api-routes.ts).
 */
export const pageSessionAuthorizer = (
  scope: Construct,
  handler: lambda.IFunction,
): apigateway.RequestAuthorizer =>
  new apigateway.RequestAuthorizer(scope, 'PageSessionAuthorizer', {
    authorizerName: 'page-session',
    handler,
    identitySources: [],
    resultsCacheTtl: Duration.seconds(0),
  });

/** The hosted UI prefix for a stage: unique per account and Region. */
export const hostedUiPrefix = (scope: Construct, stage: string): string =>
  `wso-custody-${stage}-${Stack.of(scope).account}`;
