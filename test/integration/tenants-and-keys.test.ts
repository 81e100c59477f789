import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthorizer } from '../../functions/authorizer/app.ts';
import { hashApiKey, usageIdentifierKey } from '../../shared/auth/api-keys.ts';
import { noopMetrics, setCustodyMetrics } from '../../shared/observability/metrics.ts';
import { keys, tenantPk } from '../../shared/store/keys.ts';
import { createTenant, expectProblem, issueKey, tenantBody } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';

const runtime = useRuntime();
const api = () => new ApiClient(runtime().url);
const admin = () => runtime().adminKey;

describe('health', () => {
  it('answers ok without a key and carries a request id', async () => {
    const response = await api().get('/v1/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toMatch(/.+/);
  });
});

describe('tenants', () => {
  it('onboards a tenant, lets its county-admin read it, and hides it from other tenants', async () => {
    await createTenant(api(), admin(), 'alpha-fl');
    await createTenant(api(), admin(), 'beta-fl');
    const alphaAdmin = await issueKey(api(), admin(), 'alpha-fl', 'county-admin');

    const own = await api().get('/v1/tenants/alpha-fl', { key: alphaAdmin.apiKey });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ tenantId: 'alpha-fl', state: 'FL', releaseLeadMinutes: 60, version: 1 });

    const foreign = await api().get('/v1/tenants/beta-fl', { key: alphaAdmin.apiKey });
    expectProblem(foreign, 404, 'not-found');
    const missing = await api().get('/v1/tenants/no-such-tenant', { key: alphaAdmin.apiKey });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ title: (foreign.body as { title: string }).title });
  });

  it('rejects an unknown field with 400 problem+json and creates nothing', async () => {
    const response = await api().post('/v1/tenants', {
      key: admin(),
      body: { ...tenantBody('gamma-fl'), citizenship: 'unknown' },
    });
    expectProblem(response, 400, 'validation-error');
    expect((response.body as { errors: unknown[] }).errors).toContainEqual({
      path: 'body.citizenship',
      message: 'is not a known field',
    });
    const read = await api().get('/v1/tenants/gamma-fl', { key: admin() });
    expect(read.status).toBe(404);
  });

  it('validates every field of a new tenant', async () => {
    const response = await api().post('/v1/tenants', {
      key: admin(),
      body: tenantBody('Bad_Id', 'ZZ', {
        countyFips: '123',
        timeZone: 'Mars/Olympus',
        releaseLeadMinutes: 241,
      }),
    });
    expectProblem(response, 400);
    const paths = (response.body as { errors: { path: string }[] }).errors.map((error) => error.path).sort();
    expect(paths).toEqual(
      ['body.countyFips', 'body.releaseLeadMinutes', 'body.state', 'body.tenantId', 'body.timeZone'].sort(),
    );
  });

  it('answers 409 for a tenant id that exists', async () => {
    await createTenant(api(), admin(), 'delta-fl');
    const again = await api().post('/v1/tenants', { key: admin(), body: tenantBody('delta-fl') });
    expectProblem(again, 409, 'tenant-exists');
  });

  it('lets the county-admin change settings, and only the county-admin', async () => {
    await createTenant(api(), admin(), 'epsilon-fl');
    const countyAdmin = await issueKey(api(), admin(), 'epsilon-fl', 'county-admin');
    const jail = await issueKey(api(), countyAdmin.apiKey, 'epsilon-fl', 'jail-system');

    const patched = await api().patch('/v1/tenants/epsilon-fl', {
      key: countyAdmin.apiKey,
      body: { releaseLeadMinutes: 90, agreements: { igsa: true } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      releaseLeadMinutes: 90,
      agreements: { igsa: true, boa: true, wsoMoaSignedOn: '2019-05-01' },
      version: 2,
    });
    expectProblem(
      await api().patch('/v1/tenants/epsilon-fl', { key: jail.apiKey, body: { releaseLeadMinutes: 10 } }),
      403,
      'forbidden',
    );
    expectProblem(
      await api().patch('/v1/tenants/epsilon-fl', { key: admin(), body: { releaseLeadMinutes: 10 } }),
      403,
    );
    expectProblem(await api().patch('/v1/tenants/epsilon-fl', { key: countyAdmin.apiKey, body: {} }), 400);
  });
});

describe('API keys', () => {
  it('401 without a key, with an unknown key and with a malformed header', async () => {
    expectProblem(await api().get('/v1/tenants/alpha-fl'), 401, 'unauthorized');
    expectProblem(
      await api().get('/v1/tenants/alpha-fl', { key: 'wso_this-key-was-never-issued-to-anyone' }),
      401,
    );
    expectProblem(
      await api().get('/v1/tenants/alpha-fl', { headers: { authorization: `Basic ${admin()}` } }),
      401,
    );
  });

  it('a revoked key gets 401 on its very next call', async () => {
    await createTenant(api(), admin(), 'zeta-fl');
    const countyAdmin = await issueKey(api(), admin(), 'zeta-fl', 'county-admin');
    const jail = await issueKey(api(), countyAdmin.apiKey, 'zeta-fl', 'jail-system');
    expect((await api().get('/v1/tenants/zeta-fl', { key: countyAdmin.apiKey })).status).toBe(200);

    const revoked = await api().delete(`/v1/tenants/zeta-fl/api-keys/${countyAdmin.keyId}`, {
      key: countyAdmin.apiKey,
    });
    expect(revoked.status).toBe(204);
    expectProblem(await api().get('/v1/tenants/zeta-fl', { key: countyAdmin.apiKey }), 401);
    // Other keys of the tenant keep working; revoking again is harmless for the platform admin.
    expect((await api().delete(`/v1/tenants/zeta-fl/api-keys/${jail.keyId}`, { key: admin() })).status).toBe(
      204,
    );
    expect((await api().delete(`/v1/tenants/zeta-fl/api-keys/${jail.keyId}`, { key: admin() })).status).toBe(
      204,
    );
    expectProblem(await api().delete('/v1/tenants/zeta-fl/api-keys/01NOSUCHKEY', { key: admin() }), 404);
  });

  it('a county-admin cannot revoke or issue keys of another tenant', async () => {
    await createTenant(api(), admin(), 'eta-fl');
    await createTenant(api(), admin(), 'theta-fl');
    const etaAdmin = await issueKey(api(), admin(), 'eta-fl', 'county-admin');
    const thetaAdmin = await issueKey(api(), admin(), 'theta-fl', 'county-admin');
    expectProblem(
      await api().delete(`/v1/tenants/theta-fl/api-keys/${thetaAdmin.keyId}`, { key: etaAdmin.apiKey }),
      404,
    );
    expectProblem(
      await api().post('/v1/tenants/theta-fl/api-keys', {
        key: etaAdmin.apiKey,
        body: { name: 'x', role: 'jail-system' },
      }),
      404,
    );
    expect((await api().get('/v1/tenants/theta-fl', { key: thetaAdmin.apiKey })).status).toBe(200);
  });

  it('only issues roles a tenant may hold, and wso-officer keys need an officer on the roster', async () => {
    await createTenant(api(), admin(), 'iota-fl');
    const body = (extra: object) => ({ key: admin(), body: { name: 'k', ...extra } });
    expectProblem(await api().post('/v1/tenants/iota-fl/api-keys', body({ role: 'platform-admin' })), 400);
    expectProblem(await api().post('/v1/tenants/iota-fl/api-keys', body({ role: 'wso-officer' })), 400);
    expectProblem(
      await api().post('/v1/tenants/iota-fl/api-keys', body({ role: 'wso-officer', officerId: 'nobody' })),
      422,
      'officer-not-found',
    );
    expectProblem(
      await api().post('/v1/tenants/no-such-county/api-keys', body({ role: 'jail-system' })),
      404,
    );
  });

  it('issues state-oversight keys only to the platform admin, shown once and stored only as a hash', async () => {
    const issued = await api().post<{ apiKey: string; role: string; keyId: string }>(
      '/v1/states/FL/api-keys',
      {
        key: admin(),
        body: { name: 'FL auditor' },
      },
    );
    expect(issued.status).toBe(201);
    expect(issued.body.role).toBe('state-oversight');
    const { db } = runtime().deps;
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const everything = await db.doc.send(new ScanCommand({ TableName: db.tableName }));
    expect(JSON.stringify(everything.Items)).not.toContain(issued.body.apiKey);

    const stateKey = issued.body.apiKey;
    expectProblem(await api().get('/v1/tenants/alpha-fl', { key: stateKey }), 404);
    expectProblem(await api().post('/v1/states/FL/api-keys', { key: stateKey, body: { name: 'x' } }), 403);
    expectProblem(await api().post('/v1/states/GA/api-keys', { key: stateKey, body: { name: 'x' } }), 404);
    expectProblem(await api().post('/v1/states/ZZ/api-keys', { key: admin(), body: { name: 'x' } }), 400);
  });

  it('rotates the platform-admin key: install a new one, revoke the old one by id', async () => {
    const { installPlatformAdminKey, revokeApiKey } = await import('../../shared/auth/api-keys.ts');
    const newKey = 'rotated-platform-admin-key-0123456789';
    const keyId = await installPlatformAdminKey(runtime().deps, newKey);
    expect((await api().get('/v1/tenants/alpha-fl', { key: newKey })).status).toBe(200);
    expect(await revokeApiKey(runtime().deps, { kind: 'platform' }, keyId, 'test')).toBe(true);
    expectProblem(await api().get('/v1/tenants/alpha-fl', { key: newKey }), 401);
    // The runtime's own admin key is untouched.
    expect((await api().get('/v1/tenants/alpha-fl', { key: admin() })).status).toBe(200);
  });

  it('records when a key was last used', async () => {
    await createTenant(api(), admin(), 'kappa-fl');
    const countyAdmin = await issueKey(api(), admin(), 'kappa-fl', 'county-admin');
    await api().get('/v1/tenants/kappa-fl', { key: countyAdmin.apiKey });
    const { db } = runtime().deps;
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const keys = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'keyId = :id',
        ExpressionAttributeValues: {
          ':pk': `APIKEY#${await sha256(countyAdmin.apiKey)}`,
          ':id': countyAdmin.keyId,
        },
      }),
    );
    expect(keys.Items?.[0]?.lastUsedAt).toBe('2026-11-24T03:00:00Z');
  });
});

describe('per-key throttling: every key has its API Gateway usage-plan key (issue 7)', () => {
  const plan = () => runtime().usagePlanKeys;
  const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/v1/tenants/x';

  let cleanupFailures = 0;
  afterEach(() => {
    setCustodyMetrics(undefined);
    plan().failNext = {};
  });
  const countCleanupFailures = () => {
    cleanupFailures = 0;
    setCustodyMetrics({ ...noopMetrics, usagePlanKeyCleanupFailure: () => (cleanupFailures += 1) });
  };

  /** Our key items (by hash and the owner's pointer) as the table holds them. */
  async function storedKey(apiKey: string, ownerPk: string, keyId: string) {
    const { db } = runtime().deps;
    const get = (key: { pk: string; sk: string }) =>
      db.doc.send(new GetCommand({ TableName: db.tableName, Key: key, ConsistentRead: true }));
    const [byHash, pointer] = await Promise.all([
      get(keys.apiKeyByHash(hashApiKey(apiKey))),
      get(keys.apiKeyPointer(ownerPk, keyId)),
    ]);
    return { byHash: byHash.Item, pointer: pointer.Item };
  }

  async function keyPointersOf(tenantId: string): Promise<number> {
    const { db } = runtime().deps;
    const found = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ref)',
        ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':ref': 'APIKEYREF#' },
        ConsistentRead: true,
      }),
    );
    return found.Count ?? 0;
  }

  it('registers the value the authorizer returns as usageIdentifierKey, and revocation deletes it', async () => {
    await createTenant(api(), admin(), 'upk-alpha-fl');
    const key = await issueKey(api(), admin(), 'upk-alpha-fl', 'jail-system');

    const authorized = await createAuthorizer(runtime().deps)({
      type: 'TOKEN',
      authorizationToken: `Bearer ${key.apiKey}`,
      methodArn: METHOD_ARN,
    });
    const registered = plan().byValue(authorized.usageIdentifierKey ?? '');
    expect(registered?.keyId).toBe(key.keyId);
    expect(registered?.value).toBe(usageIdentifierKey(key.apiKey));
    // API Gateway holds the hash, never the secret itself.
    expect(registered?.value).not.toContain(key.apiKey);
    // Both of our items remember API Gateway's id, so revocation can delete it.
    const stored = await storedKey(key.apiKey, tenantPk('upk-alpha-fl'), key.keyId);
    expect(stored.byHash?.apiGatewayKeyId).toBe(registered?.apiGatewayKeyId);
    expect(stored.pointer?.apiGatewayKeyId).toBe(registered?.apiGatewayKeyId);

    const revoked = await api().delete(`/v1/tenants/upk-alpha-fl/api-keys/${key.keyId}`, { key: admin() });
    expect(revoked.status).toBe(204);
    expect(plan().byKeyId(key.keyId)).toBeUndefined();
    expect(plan().byValue(usageIdentifierKey(key.apiKey))).toBeUndefined();
  });

  it('registers state-oversight keys and the installed platform-admin key the same way', async () => {
    const issued = await api().post<{ keyId: string; apiKey: string }>('/v1/states/GA/api-keys', {
      key: admin(),
      body: { name: 'GA auditor' },
    });
    expect(issued.status).toBe(201);
    expect(plan().byValue(usageIdentifierKey(issued.body.apiKey))?.keyId).toBe(issued.body.keyId);
    // The runtime installed its admin key at start-up, through the same port.
    expect(plan().byValue(usageIdentifierKey(admin()))?.keyId).toMatch(/^admin-/);
  });

  it('issues nothing when API Gateway fails: 503, no key item, no API Gateway key', async () => {
    await createTenant(api(), admin(), 'upk-beta-fl');
    const before = plan().size;
    plan().failNext.register = Object.assign(new Error('Too Many Requests'), {
      name: 'TooManyRequestsException',
    });

    const refused = await api().post('/v1/tenants/upk-beta-fl/api-keys', {
      key: admin(),
      body: { name: 'jail', role: 'jail-system' },
    });
    expectProblem(refused, 503, 'temporarily-unavailable');
    expect(JSON.stringify(refused.body)).not.toMatch(/TooManyRequests|API Gateway/);
    expect(await keyPointersOf('upk-beta-fl')).toBe(0);
    expect(plan().size).toBe(before);

    // The caller retries, and gets a key that is registered.
    const retried = await issueKey(api(), admin(), 'upk-beta-fl', 'jail-system');
    expect(plan().byKeyId(retried.keyId)?.value).toBe(usageIdentifierKey(retried.apiKey));
    expect(await keyPointersOf('upk-beta-fl')).toBe(1);
  });

  it('deletes the API Gateway key again when our own write is refused (officer not on the roster)', async () => {
    await createTenant(api(), admin(), 'upk-gamma-fl');
    countCleanupFailures();
    const before = plan().size;
    const refused = await api().post('/v1/tenants/upk-gamma-fl/api-keys', {
      key: admin(),
      body: { name: 'officer', role: 'wso-officer', officerId: 'nobody' },
    });
    expectProblem(refused, 422, 'officer-not-found');
    expect(plan().size).toBe(before);
    expect(cleanupFailures).toBe(0);
    expectProblem(
      await api().post('/v1/tenants/upk-no-such-county/api-keys', {
        key: admin(),
        body: { name: 'jail', role: 'jail-system' },
      }),
      404,
    );
    expect(plan().size).toBe(before);
  });

  it('counts an API Gateway key it could not roll back (inert: its secret was never handed out)', async () => {
    await createTenant(api(), admin(), 'upk-delta-fl');
    countCleanupFailures();
    const before = plan().size;
    plan().failNext.remove = new Error('API Gateway unavailable');
    const refused = await api().post('/v1/tenants/upk-delta-fl/api-keys', {
      key: admin(),
      body: { name: 'officer', role: 'wso-officer', officerId: 'nobody' },
    });
    expectProblem(refused, 422, 'officer-not-found');
    expect(plan().size).toBe(before + 1);
    expect(cleanupFailures).toBe(1);
    expect(await keyPointersOf('upk-delta-fl')).toBe(0);
  });

  it('revokes our key even when API Gateway cannot delete its key, and revoking again retries the delete', async () => {
    await createTenant(api(), admin(), 'upk-epsilon-fl');
    const countyAdmin = await issueKey(api(), admin(), 'upk-epsilon-fl', 'county-admin');
    const jail = await issueKey(api(), countyAdmin.apiKey, 'upk-epsilon-fl', 'jail-system');
    countCleanupFailures();
    plan().failNext.remove = new Error('API Gateway unavailable');

    const revoked = await api().delete(`/v1/tenants/upk-epsilon-fl/api-keys/${jail.keyId}`, {
      key: countyAdmin.apiKey,
    });
    expect(revoked.status).toBe(204);
    // The key is dead at once (our item says revokedAt), whatever API Gateway still holds.
    expectProblem(await api().get('/v1/tenants/upk-epsilon-fl', { key: jail.apiKey }), 401);
    await expect(
      createAuthorizer(runtime().deps)({
        type: 'TOKEN',
        authorizationToken: `Bearer ${jail.apiKey}`,
        methodArn: METHOD_ARN,
      }),
    ).rejects.toThrow('Unauthorized');
    expect(plan().byKeyId(jail.keyId)).toBeDefined();
    expect(cleanupFailures).toBe(1);

    const again = await api().delete(`/v1/tenants/upk-epsilon-fl/api-keys/${jail.keyId}`, {
      key: countyAdmin.apiKey,
    });
    expect(again.status).toBe(204);
    expect(plan().byKeyId(jail.keyId)).toBeUndefined();
    expect(cleanupFailures).toBe(1);
    // The county admin's own key is untouched.
    expect(plan().byKeyId(countyAdmin.keyId)?.value).toBe(usageIdentifierKey(countyAdmin.apiKey));
  });
});

describe('HTTP pipeline', () => {
  it('answers unknown routes 404 and wrong methods 405, as problem+json', async () => {
    expectProblem(await api().get('/v1/nothing-here'), 404);
    expectProblem(await api().delete('/v1/health'), 405, 'method-not-allowed');
  });

  it('refuses malformed JSON, non-JSON bodies, oversized bodies and unknown query parameters', async () => {
    const headers = { 'content-type': 'application/json' };
    expectProblem(
      await api().post('/v1/tenants', { key: admin(), rawBody: '{"tenantId":', headers }),
      400,
      'malformed-json',
    );
    expectProblem(
      await api().post('/v1/tenants', {
        key: admin(),
        rawBody: 'tenantId=x',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
    );
    const huge = JSON.stringify({ ...tenantBody('huge-fl'), name: 'x'.repeat(70_000) });
    expectProblem(
      await api().post('/v1/tenants', { key: admin(), rawBody: huge, headers }),
      413,
      'payload-too-large',
    );
    expectProblem(await api().get('/v1/health?debug=1'), 400);
    expect((await api().get('/v1/tenants/huge-fl', { key: admin() })).status).toBe(404);
  });

  it('replays a creating POST with the same Idempotency-Key and refuses the key with another body', async () => {
    const headers = { 'idempotency-key': 'onboard-lambda-fl-1' };
    const first = await api().post('/v1/tenants', { key: admin(), body: tenantBody('lambda-fl'), headers });
    const second = await api().post('/v1/tenants', { key: admin(), body: tenantBody('lambda-fl'), headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await api().post('/v1/tenants', { key: admin(), body: tenantBody('mu-fl'), headers });
    expectProblem(other, 422, 'idempotency-key-reused');
    expect((await api().get('/v1/tenants/mu-fl', { key: admin() })).status).toBe(404);
  });
});

async function sha256(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}
