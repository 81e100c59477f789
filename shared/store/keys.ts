/**
 * Item key layout of the single table. Tenant data always lives under `TENANT#<tenantId>`;
 * the only other partitions are platform-level: API-key lookups by hash, state-scoped key
 * pointers and the platform's own keys.
 */
export const tenantPk = (tenantId: string): string => `TENANT#${tenantId}`;

export const keys = {
  tenantProfile: (tenantId: string) => ({ pk: tenantPk(tenantId), sk: 'PROFILE' }),
  /** Authentication looks a key up by the SHA-256 of the presented secret. */
  apiKeyByHash: (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' }),
  /** The owner's pointer to one of its keys, for revocation by keyId. */
  apiKeyPointer: (ownerPk: string, keyId: string) => ({ pk: ownerPk, sk: `APIKEYREF#${keyId}` }),
  statePk: (state: string) => `STATE#${state}`,
  platformPk: 'PLATFORM',
};

/** GSI2 partition listing the tenants of one state. */
export const stateTenantsGsi = (state: string, tenantId: string) => ({
  gsi2pk: `STATE#${state}#TENANTS`,
  gsi2sk: tenantId,
});
