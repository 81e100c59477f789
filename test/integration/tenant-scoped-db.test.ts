import { ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../shared/auth/api-keys.ts';
import { keys, tenantPk } from '../../shared/store/keys.ts';
import { OPEN_HOLDS_INDEX, STATE_INDEX } from '../../shared/store/table-definition.ts';
import { tenantIntents } from '../../shared/store/tenant-intents.ts';
import { type County, onboardCounty } from '../support/custody.ts';
import { useRuntime } from '../support/runtime.ts';

/**
 * The local runtime gives tenant keys a DynamoDB client with the tenant-data role's policy emulated
 * (local/tenant-data-policy.ts): these tests show the client refuses what IAM would refuse, and that
 * tenant routes really go through it while authentication and platform keys stay on the function role.
 */
const runtime = useRuntime();

let county: County;
let other: County;
beforeAll(async () => {
  county = await onboardCounty(runtime(), 'scoped-a');
  other = await onboardCounty(runtime(), 'scoped-b');
});

const tenantDb = () => runtime().tenantDb.forTenant(county.tenantId);
const functionDb = () => runtime().deps.db;

/** Records the operation and leading partition key of every request a client sends. */
function record(doc: DynamoDBDocumentClient, name: string): { seen: string[]; stop: () => void } {
  const seen: string[] = [];
  const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    const input = args.input as {
      Key?: { pk?: unknown };
      Item?: { pk?: unknown };
      ExpressionAttributeValues?: Record<string, unknown>;
      TransactItems?: unknown[];
      RequestItems?: unknown;
    };
    const pk =
      input.Key?.pk ??
      input.Item?.pk ??
      input.ExpressionAttributeValues?.[':pk'] ??
      transactPk(input.TransactItems);
    seen.push(`${context.commandName?.replace(/Command$/, '')} ${typeof pk === 'string' ? pk : '-'}`);
    return next(args);
  };
  (doc.middlewareStack as { add(m: InitializeMiddleware<object, object>, o: object): void }).add(middleware, {
    step: 'initialize',
    priority: 'low',
    name,
  });
  return { seen, stop: () => doc.middlewareStack.remove(name) };
}

/** The one partition every item of a transaction is in ('mixed' when they are not). */
function transactPk(items: unknown[] | undefined): string | undefined {
  if (!items) return undefined;
  const pks = new Set(
    items.map((item) => {
      const [operation] = Object.values(
        item as Record<string, { Key?: { pk?: unknown }; Item?: { pk?: unknown } }>,
      );
      return String(operation?.Key?.pk ?? operation?.Item?.pk);
    }),
  );
  return pks.size === 1 ? [...pks][0] : 'mixed';
}

const denied = { name: 'AccessDeniedException' };

describe('the tenant-scoped client (the tenant-data role, emulated)', () => {
  afterEach(() => {
    // The refusals were deliberate here; the runtime records them (and checks none elsewhere).
    expect(runtime().tenantDb.takeRefusals().length).toBeGreaterThan(0);
  });

  it('reads its own tenant and refuses another tenant’s item, key pointers outside it and the platform partition', async () => {
    const { doc, tableName } = await tenantDb();
    const own = await doc.send(
      new GetCommand({ TableName: tableName, Key: keys.tenantProfile(county.tenantId) }),
    );
    expect(own.Item?.tenantId).toBe(county.tenantId);
    for (const key of [
      keys.tenantProfile(other.tenantId),
      keys.apiKeyPointer(keys.platformPk, 'k'),
      keys.apiKeyPointer(keys.statePk('FL'), 'k'),
      // A look-alike prefix: LeadingKeys must equal TENANT#<tenant>, not merely start with it.
      { pk: `${tenantPk(county.tenantId)}-x`, sk: 'PROFILE' },
    ]) {
      await expect(doc.send(new GetCommand({ TableName: tableName, Key: key }))).rejects.toMatchObject(
        denied,
      );
    }
  });

  it('may read an API-key item by hash (the caller check in a request’s first read) but never write one', async () => {
    const { doc, tableName } = await tenantDb();
    const keyItem = keys.apiKeyByHash('0'.repeat(64));
    expect((await doc.send(new GetCommand({ TableName: tableName, Key: keyItem }))).Item).toBeUndefined();
    await expect(
      doc.send(new PutCommand({ TableName: tableName, Item: { ...keyItem, entity: 'ApiKey' } })),
    ).rejects.toMatchObject(denied);
    await expect(
      doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keyItem,
          UpdateExpression: 'SET revokedAt = :now',
          ExpressionAttributeValues: { ':now': 'x' },
        }),
      ),
    ).rejects.toMatchObject(denied);
  });

  it('refuses a Scan, and a Query on either index, even for its own tenant', async () => {
    const { doc, tableName } = await tenantDb();
    await expect(doc.send(new ScanCommand({ TableName: tableName }))).rejects.toMatchObject(denied);
    for (const index of [OPEN_HOLDS_INDEX, STATE_INDEX]) {
      await expect(
        doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: index.indexName,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': index.partitionKey },
            ExpressionAttributeValues: { ':pk': tenantPk(county.tenantId) },
          }),
        ),
      ).rejects.toMatchObject(denied);
    }
  });

  it('queries its own partition only, by name or by placeholder', async () => {
    const { doc, tableName } = await tenantDb();
    const query = (pk: string) =>
      doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: { ':pk': pk, ':prefix': 'FACILITY#' },
        }),
      );
    expect((await query(tenantPk(county.tenantId))).Items?.length).toBeGreaterThan(0);
    await expect(query(tenantPk(other.tenantId))).rejects.toMatchObject(denied);
    await expect(
      doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': tenantPk(other.tenantId) },
        }),
      ),
    ).rejects.toMatchObject(denied);
  });

  it('refuses a transaction or a batch with a single foreign key, and writes nothing of it', async () => {
    const { doc, tableName } = await tenantDb();
    const mine = { pk: tenantPk(county.tenantId), sk: 'SCOPED-TEST#1' };
    const theirs = { pk: tenantPk(other.tenantId), sk: 'SCOPED-TEST#1' };
    await expect(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { ...mine, entity: 'Test' } } },
            {
              ConditionCheck: {
                TableName: tableName,
                Key: theirs,
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    ).rejects.toMatchObject(denied);
    await expect(
      doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [mine, theirs] } } })),
    ).rejects.toMatchObject(denied);
    await expect(
      doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: theirs,
          UpdateExpression: 'SET x = :x',
          ExpressionAttributeValues: { ':x': 1 },
        }),
      ),
    ).rejects.toMatchObject(denied);
    // Nothing reached the table: the function role sees neither item.
    const fn = functionDb();
    expect((await fn.doc.send(new GetCommand({ TableName: fn.tableName, Key: mine }))).Item).toBeUndefined();
    expect(
      (await fn.doc.send(new GetCommand({ TableName: fn.tableName, Key: theirs }))).Item,
    ).toBeUndefined();

    await doc.send(new PutCommand({ TableName: tableName, Item: { ...mine, entity: 'Test' } }));
    expect((await fn.doc.send(new GetCommand({ TableName: fn.tableName, Key: mine }))).Item?.entity).toBe(
      'Test',
    );
  });

  it('would fail key issuance (APIKEY#<hash>): the reason that route keeps the function role', async () => {
    const deps = { ...runtime().deps, db: await tenantDb() };
    await expect(
      issueApiKey(
        deps,
        { name: 'x', role: 'jail-system', scope: { kind: 'tenant', tenantId: county.tenantId } },
        [tenantIntents.mustExist(deps.db.tableName, county.tenantId)],
        { actor: { kind: 'credential', keyId: 'test', role: 'county-admin' }, requestId: 'test' },
      ),
    ).rejects.toMatchObject(denied);
  });
});

describe('tenant routes run on the tenant-scoped client', () => {
  it('reads, creates and records idempotency through it; only authentication uses the function role', async () => {
    const scoped = record((await tenantDb()).doc, 'scoped-recorder');
    const fn = record(functionDb().doc, 'function-recorder');
    try {
      const read = await county.api.get(`/v1/tenants/${county.tenantId}`, { key: county.admin });
      expect(read.status, read.text).toBe(200);
      const created = await county.api.post(`/v1/tenants/${county.tenantId}/facilities`, {
        key: county.admin,
        body: { facilityId: 'annex', name: 'Annex' },
        headers: { 'idempotency-key': 'scoped-annex' },
      });
      expect(created.status, created.text).toBe(201);
    } finally {
      scoped.stop();
      fn.stop();
    }
    const own = tenantPk(county.tenantId);
    expect(scoped.seen).toContain(`GetItem ${own}`);
    // The idempotency record (Put, then Update to COMPLETED) and the facility with its audit event
    // (one transaction) are all in the partition.
    expect(scoped.seen.filter((entry) => entry === `PutItem ${own}`)).toHaveLength(1);
    expect(scoped.seen).toContain(`TransactWriteItems ${own}`);
    expect(scoped.seen).toContain(`UpdateItem ${own}`);
    expect(scoped.seen.every((entry) => entry.endsWith(` ${own}`))).toBe(true);
    expect(fn.seen.length).toBeGreaterThan(0);
    expect(fn.seen.every((entry) => / APIKEY#[0-9a-f]{64}$/.test(entry))).toBe(true);
  });

  it('keeps platform-admin keys on the function role', async () => {
    const scoped = record((await tenantDb()).doc, 'scoped-recorder-admin');
    const fn = record(functionDb().doc, 'function-recorder-admin');
    try {
      const read = await county.api.get(`/v1/tenants/${county.tenantId}`, { key: runtime().adminKey });
      expect(read.status, read.text).toBe(200);
    } finally {
      scoped.stop();
      fn.stop();
    }
    expect(scoped.seen).toEqual([]);
    expect(fn.seen).toContain(`GetItem ${tenantPk(county.tenantId)}`);
  });

  it('issues and revokes keys of a county-admin (APIKEY# items) with the function role', async () => {
    const issued = await county.api.post<{ keyId: string; apiKey: string }>(
      `/v1/tenants/${county.tenantId}/api-keys`,
      {
        key: county.admin,
        body: { name: 'scoped test', role: 'jail-system' },
        headers: { 'idempotency-key': 'scoped-key' },
      },
    );
    expect(issued.status, issued.text).toBe(201);
    expect(
      (await county.api.get(`/v1/tenants/${county.tenantId}/facilities`, { key: issued.body.apiKey })).status,
    ).toBe(200);
    const revoked = await county.api.delete(`/v1/tenants/${county.tenantId}/api-keys/${issued.body.keyId}`, {
      key: county.admin,
    });
    expect(revoked.status, revoked.text).toBe(204);
    expect(
      (await county.api.get(`/v1/tenants/${county.tenantId}/facilities`, { key: issued.body.apiKey })).status,
    ).toBe(401);
  });
});
