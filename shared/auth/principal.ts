/** Who is calling: every credential is one role, scoped to one tenant, one state, or the platform. */
export const ROLES = [
  'platform-admin',
  'county-admin',
  'jail-system',
  'wso-officer',
  'ice-liaison',
  'state-oversight',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles a tenant (county) may issue keys for. */
export const TENANT_ROLES = ['county-admin', 'jail-system', 'wso-officer', 'ice-liaison'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export type KeyScope =
  | { kind: 'platform' }
  | { kind: 'tenant'; tenantId: string }
  | { kind: 'state'; state: string };

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
  scope: KeyScope;
  /** Set for wso-officer keys: the one officer the key acts as. */
  officerId?: string;
}

export const principalTenant = (principal: Principal): string | undefined =>
  principal.scope.kind === 'tenant' ? principal.scope.tenantId : undefined;

export const principalState = (principal: Principal): string | undefined =>
  principal.scope.kind === 'state' ? principal.scope.state : undefined;
