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

/**
 * Tenant-scoped items. Attribute contracts that more than one module relies on (the serve-warrant
 * transaction puts conditions on officers, bookings and warrants):
 * - officer:  status NOMINATED|CREDENTIALED|SUSPENDED, facilityIds (list), credentialExpiresOn (YYYY-MM-DD, top level)
 * - booking:  status IN_CUSTODY|RELEASED, facilityId, openHoldId (set and removed only by hold transitions)
 * - warrant:  status RECEIVED|SERVED|WITHDRAWN, bookingNumber, holdId (set by service)
 */
export const tenantKeys = {
  facility: (tenantId: string, facilityId: string) => ({
    pk: tenantPk(tenantId),
    sk: `FACILITY#${facilityId}`,
  }),
  officer: (tenantId: string, officerId: string) => ({ pk: tenantPk(tenantId), sk: `OFFICER#${officerId}` }),
  booking: (tenantId: string, bookingNumber: string) => ({
    pk: tenantPk(tenantId),
    sk: `BOOKING#${bookingNumber}`,
  }),
  warrant: (tenantId: string, warrantId: string) => ({ pk: tenantPk(tenantId), sk: `WARRANT#${warrantId}` }),
  hold: (tenantId: string, holdId: string) => ({ pk: tenantPk(tenantId), sk: `HOLD#${holdId}` }),
  holdEvent: (tenantId: string, holdId: string, seq: number) => ({
    pk: tenantPk(tenantId),
    sk: `HOLDEVENT#${holdId}#${String(seq).padStart(6, '0')}`,
  }),
  outbox: (tenantId: string, eventId: string) => ({ pk: tenantPk(tenantId), sk: `OUTBOX#${eventId}` }),
};

export const SK_PREFIX = {
  facility: 'FACILITY#',
  officer: 'OFFICER#',
  booking: 'BOOKING#',
  warrant: 'WARRANT#',
  hold: 'HOLD#',
  holdEvents: (holdId: string) => `HOLDEVENT#${holdId}#`,
} as const;
