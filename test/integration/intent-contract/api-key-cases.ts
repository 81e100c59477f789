import { hashApiKey } from '../../../shared/keys/hashing.ts';
import { type ApiKeyItem, apiKeyIntents } from '../../../shared/store/api-keys.ts';
import { absent, type Case, nth, on, putItemOf, TABLE, without } from './fixtures.ts';

/** A county's key whose id and hash derive from the case's tenant (the hash item is outside it). */
const key = (t: string): ApiKeyItem => ({
  keyId: `01KEY${t}`,
  name: 'vendor',
  role: 'jail-system',
  scope: { kind: 'tenant', tenantId: t },
  hash: hashApiKey(`secret-of-${t}`),
  createdAt: '2026-11-24T03:00:00Z',
  createdBy: 'county-admin:admin@TENANT#t',
  apiGatewayKeyId: `agw-${t}`,
});
const REVOKED_AT = '2026-11-24T05:00:00Z';
/** The items as issuance wrote them: [by hash, the owner's pointer]. */
const issued = (t: string, index: 0 | 1) => putItemOf(nth(apiKeyIntents.store(TABLE, key(t)), index));
const revoked = { revokedAt: '2026-11-24T04:00:00Z', revokedBy: 'someone' };

/** apiKeyIntents (shared/store/api-keys.ts): store returns [by hash, pointer], revoke [pointer, by hash]. */
export const apiKeyCases = {
  store: [
    // 'attribute_not_exists(pk)' on each item
    ...on(
      (t) => nth(apiKeyIntents.store(TABLE, key(t)), 0),
      [
        ['by hash, absent', absent, 'accepted'],
        ['by hash, taken', (_s, t) => issued(t, 0), 'refused'],
      ],
    ),
    ...on(
      (t) => nth(apiKeyIntents.store(TABLE, key(`${t}-pointer`)), 1),
      [
        ['pointer, absent', absent, 'accepted'],
        ['pointer, taken', (_s, t) => issued(`${t}-pointer`, 1), 'refused'],
      ],
    ),
    // An operator-installed key is rewritten in place (no condition).
    ...on(
      (t) => nth(apiKeyIntents.store(TABLE, key(`${t}-installed`), true), 0),
      [['installed again over itself', (_s, t) => issued(`${t}-installed`, 0), 'accepted']],
    ),
  ],
  revoke: [
    // pointer: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)'
    ...on(
      (t) => nth(apiKeyIntents.revoke(TABLE, key(t), REVOKED_AT, 'admin'), 0),
      [
        ['absent pointer', absent, 'refused'],
        ['live key', (_s, t) => issued(t, 1), 'accepted'],
        ['revoked meanwhile', (_s, t) => ({ ...issued(t, 1), ...revoked }), 'refused'],
        [
          'without revokedAt but with revokedBy',
          (_s, t) => without({ ...issued(t, 1), ...revoked }, 'revokedAt'),
          'accepted',
        ],
      ],
    ),
    // by hash: unconditional
    ...on(
      (t) => nth(apiKeyIntents.revoke(TABLE, key(`${t}-hash`), REVOKED_AT, 'admin'), 1),
      [
        ['absent hash item (created by the update)', absent, 'accepted'],
        ['live hash item', (_s, t) => issued(`${t}-hash`, 0), 'accepted'],
      ],
    ),
  ],
} satisfies Record<keyof typeof apiKeyIntents, Case[]>;
