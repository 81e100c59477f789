import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { KEY_CAP_RULE, MAX_LIVE_KEYS_PER_TENANT } from '../../shared/keys/key-cap.ts';
import { keys, tenantPk } from '../../shared/store/keys.ts';
import { createTenant, expectProblem, issueKey } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

const runtime = useRuntime();
const api = () => new ApiClient(runtime().url);

/** Issue 19 item 3: one county cannot exhaust the account's API Gateway keys. */
describe('live API keys per tenant', () => {
  it(`issues up to ${MAX_LIVE_KEYS_PER_TENANT}, answers 422 naming the rule past it, and frees a place on revocation`, async () => {
    const admin = runtime().adminKey;
    await createTenant(api(), admin, 'capped-fl');
    await createTenant(api(), admin, 'other-fl');
    // Two keys through the API (one revoked below), the rest as pointers written straight to the
    // table (the cap counts the tenant's unrevoked APIKEYREF# items), so the test stays fast.
    const first = await issueKey(api(), admin, 'capped-fl', 'jail-system');
    await issueKey(api(), admin, 'capped-fl', 'jail-system');
    const { db } = runtime().deps;
    const seeds = Array.from({ length: MAX_LIVE_KEYS_PER_TENANT - 2 }, (_, i) => ({
      PutRequest: {
        Item: { ...keys.apiKeyPointer(tenantPk('capped-fl'), `seed-${i}`), entity: 'ApiKeyRef' },
      },
    }));
    for (let i = 0; i < seeds.length; i += 25) {
      await db.doc.send(new BatchWriteCommand({ RequestItems: { [db.tableName]: seeds.slice(i, i + 25) } }));
    }

    const refused = await api().post('/v1/tenants/capped-fl/api-keys', {
      key: admin,
      body: { name: 'one too many', role: 'jail-system' },
    });
    expectProblem(refused, 422, KEY_CAP_RULE);
    // A revoked key does not count: revoking one frees a place.
    // Another county is not affected by this one's keys.
    await issueKey(api(), admin, 'other-fl', 'jail-system');

    const revoked = await api().delete(`/v1/tenants/capped-fl/api-keys/${first.keyId}`, { key: admin });
    expect(revoked.status).toBe(204);
    await issueKey(api(), admin, 'capped-fl', 'jail-system');
  });
});
