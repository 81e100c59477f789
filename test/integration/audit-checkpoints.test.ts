import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InternalServerError, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { startLocalRuntime } from '../../local/runtime.ts';
import { eventContent } from '../../shared/audit/chain-check.ts';
import { type Checkpoint, type PublicJwk, signingInput, verifyEs256 } from '../../shared/audit/checkpoint.ts';
import { chainHash, GENESIS_HASH } from '../../shared/audit/hash-chain.ts';
import { verifyOffline } from '../../shared/audit/offline-verify.ts';
import type { VerifyResult } from '../../shared/audit/verify-tenant.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { randomSecret } from '../../shared/ids.ts';
import { tenantKeys, tenantPk } from '../../shared/store/keys.ts';
import { type County, onboardCounty, serveHold, stateAuditorKey } from '../support/custody.ts';
import { testDynamoEndpoint } from '../support/dynamodb.ts';
import { expectProblem } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { TEST_START, useRuntime } from '../support/runtime.ts';

/**
 * Issue 14 acceptance: an insider with direct table access cannot rewrite the audit trail without
 * `verify` and the offline verifier (which trusts nothing but the public key) saying so; a county's
 * writes do not queue on one item; every event is sealed within a minute of virtual time.
 */
const runtime = useRuntime();
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const now = () => runtime().clock.now().getTime();
let counties = 0;
const newCounty = () => onboardCounty(runtime(), `seal-${++counties}`);
const db = () => runtime().deps.db;

/** Lets a minute of virtual time pass: the stream is read, and every pending event is sealed. */
const aMinuteLater = async () => {
  await runtime().drainStreams();
  await runtime().advanceTo(new Date(now() + 60_000));
};

const verify = async (county: County, key = county.admin): Promise<VerifyResult> => {
  const response = await county.api.get<VerifyResult>(`/v1/tenants/${county.tenantId}/audit/verify`, { key });
  expect(response.status, response.text).toBe(200);
  return response.body;
};

const publicKeys = async (): Promise<PublicJwk[]> => {
  const signer = runtime().deps.audit?.signer;
  if (!signer) throw new Error('no signer');
  return [await signer.publicKey()];
};

const offline = async (county: County, baseUrl = runtime().url, keys?: PublicJwk[]) =>
  verifyOffline({
    baseUrl,
    apiKey: county.admin,
    tenantId: county.tenantId,
    keys: keys ?? (await publicKeys()),
  });

const reasons = (result: { broken?: { reason: string }[] }) => (result.broken ?? []).map((b) => b.reason);

async function holdEvents(county: County, holdId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await db().doc.send(
    new QueryCommand({
      TableName: db().tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': tenantPk(county.tenantId), ':prefix': `HOLDEVENT#${holdId}#` },
    }),
  );
  return Items;
}

describe('signed checkpoints', () => {
  it('seal every event within 60 s of virtual time; signatures verify with the public key', async () => {
    const county = await newCounty();
    await serveHold(county, iso(now()));
    await aMinuteLater();
    const result = await verify(county);
    expect(result).toMatchObject({ ok: true, unsealed: 0, holds: 1 });
    expect(result.checkpoints).toBeGreaterThanOrEqual(1);

    const keySet = await county.api.get<{ keys: PublicJwk[] }>('/v1/audit/public-key', { key: county.jail });
    expect(keySet.status).toBe(200);
    expect(keySet.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: expect.any(String) });
    const listed = await county.api.get<{ items: (Checkpoint & { leaves: unknown[] })[] }>(
      `/v1/tenants/${county.tenantId}/audit/checkpoints`,
      { key: county.admin },
    );
    expect(listed.status, listed.text).toBe(200);
    const [first] = listed.body.items;
    if (!first || !keySet.body.keys[0]) throw new Error('no checkpoint');
    expect(first).toMatchObject({ tenantId: county.tenantId, seq: 1, previous: GENESIS_HASH });
    expect(first.keyId).toBe(keySet.body.keys[0].kid);
    expect(verifyEs256(keySet.body.keys[0], signingInput(first), first.signature)).toBe(true);
    // No person data in a checkpoint: the booked person's name appears nowhere.
    expect(listed.text).not.toMatch(/Alex|Doe\d/);

    expect(await offline(county)).toMatchObject({ ok: true, problems: [] });
  });

  it('an edited event whose every later hash and head were recomputed: verify and the offline verifier name it', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now() - 50 * HOUR));
    await aMinuteLater();
    expect((await verify(county)).ok).toBe(true);

    // The insider rewrites who served the hold, then re-chains every later event and the head.
    const events = await holdEvents(county, hold.holdId);
    let prevHash = GENESIS_HASH;
    for (const [index, item] of events.entries()) {
      const content = eventContent(item);
      const forged =
        index === 0
          ? { ...content, actor: { kind: 'credential', keyId: 'someone-else', role: 'wso-officer' } }
          : content;
      const next = { ...forged, prevHash };
      const hash = chainHash(prevHash, next);
      await db().doc.send(
        new PutCommand({
          TableName: db().tableName,
          Item: { pk: item.pk, sk: item.sk, entity: item.entity, ...next, hash },
        }),
      );
      prevHash = hash;
    }
    await db().doc.send(
      new UpdateCommand({
        TableName: db().tableName,
        Key: tenantKeys.hold(county.tenantId, hold.holdId),
        UpdateExpression: 'SET eventHash = :hash',
        ExpressionAttributeValues: { ':hash': prevHash },
      }),
    );

    const result = await verify(county);
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toMatchObject({ chain: 'checkpoint', reason: 'sealed-event-changed' });
    expect(reasons(result).filter((reason) => reason !== 'sealed-event-changed')).toEqual([]);
    const report = await offline(county);
    expect(report.ok).toBe(false);
    expect(report.problems.map((problem) => problem.reason)).toContain('sealed-event-changed');
  });

  it('edited person data: the booking no longer matches the hash its last event sealed', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now()));
    await aMinuteLater();
    await db().doc.send(
      new UpdateCommand({
        TableName: db().tableName,
        Key: tenantKeys.booking(county.tenantId, hold.bookingNumber),
        UpdateExpression: 'SET person.lastName = :name',
        ExpressionAttributeValues: { ':name': 'Somebody-Else' },
      }),
    );
    const result = await verify(county);
    expect(result).toMatchObject({
      ok: false,
      firstBroken: {
        chain: 'entity',
        entity: { kind: 'booking', id: hold.bookingNumber },
        reason: 'state-mismatch',
      },
    });
    const report = await offline(county);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ reason: 'state-mismatch', chain: `booking#${hold.bookingNumber}` }),
    );
  });

  it('the newest events deleted, head rewound to match: named as sealed events gone', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now() - 50 * HOUR));
    await aMinuteLater();
    const events = await holdEvents(county, hold.holdId);
    const [, second, third] = events;
    if (!second || !third) throw new Error('expected three events');
    await db().doc.send(
      new DeleteCommand({ TableName: db().tableName, Key: { pk: third.pk, sk: third.sk } }),
    );
    await db().doc.send(
      new UpdateCommand({
        TableName: db().tableName,
        Key: tenantKeys.hold(county.tenantId, hold.holdId),
        UpdateExpression: 'SET eventSeq = :seq, eventHash = :hash',
        ExpressionAttributeValues: { ':seq': 2, ':hash': second.hash },
      }),
    );
    const result = await verify(county);
    expect(result.ok).toBe(false);
    expect(reasons(result)).toContain('sealed-event-missing');
    expect(result.broken).toContainEqual(
      expect.objectContaining({ ref: third.sk, reason: 'sealed-event-missing' }),
    );
    const report = await offline(county);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ reason: 'sealed-event-missing', ref: third.sk }),
    );
  });

  it('the county restored from an earlier snapshot (every item copied back): the later checkpoints say so', async () => {
    const county = await newCounty();
    await serveHold(county, iso(now()));
    await aMinuteLater();
    const snapshot = await partition(county);

    const later = await serveHold(county, iso(now()));
    await county.api.post(`/v1/tenants/${county.tenantId}/holds/${later.holdId}/transfer`, {
      key: county.liaison,
      body: { transferredAt: iso(now()), receivingOfficer: 'ERO Officer Lee' },
    });
    await aMinuteLater();
    expect((await verify(county)).ok).toBe(true);

    // Restore: remove everything of the county, put the snapshot back, consistent in itself.
    for (const item of await partition(county)) {
      await db().doc.send(
        new DeleteCommand({ TableName: db().tableName, Key: { pk: item.pk, sk: item.sk } }),
      );
    }
    for (const item of snapshot)
      await db().doc.send(new PutCommand({ TableName: db().tableName, Item: item }));

    const result = await verify(county);
    expect(result.ok).toBe(false);
    expect(reasons(result)).toContain('sealed-event-missing');
    const report = await offline(county);
    expect(report.ok).toBe(false);
    expect(report.problems.map((problem) => problem.reason)).toContain('sealed-event-missing');
  });

  it('state-oversight lists and verifies its state\u2019s counties, and no other', async () => {
    const county = await newCounty();
    await aMinuteLater();
    const florida = await stateAuditorKey(runtime(), 'FL');
    const texas = await stateAuditorKey(runtime(), 'TX');
    expect((await verify(county, florida)).ok).toBe(true);
    const listed = await county.api.get(`/v1/tenants/${county.tenantId}/audit/checkpoints`, { key: florida });
    expect(listed.status, listed.text).toBe(200);
    expect(
      (
        await verifyOffline({
          baseUrl: runtime().url,
          apiKey: florida,
          tenantId: county.tenantId,
          keys: await publicKeys(),
        })
      ).ok,
    ).toBe(true);
    expectProblem(await county.api.get(`/v1/tenants/${county.tenantId}/audit/verify`, { key: texas }), 404);
    expectProblem(
      await county.api.get(`/v1/tenants/${county.tenantId}/audit/checkpoints`, { key: texas }),
      404,
    );
    // Other county routes stay closed to a state key.
    expectProblem(await county.api.get(`/v1/tenants/${county.tenantId}/holds`, { key: florida }), 404);
    expectProblem(
      await county.api.get(`/v1/tenants/${county.tenantId}/audit/checkpoints`, { key: county.jail }),
      403,
    );
  });
});

/** The county's partition as stored (the test is the insider: a Query is what a restore copies). */
async function partition(county: County): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db().doc.send(
      new QueryCommand({
        TableName: db().tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantPk(county.tenantId) },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

describe('writes of one county scale with its entities', () => {
  it('150 concurrent writes to distinct bookings of one county: all 2xx', async () => {
    const county = await newCounty();
    // As a vendor's client would: a 503 (busy, or out of time on a starved machine) is repeated after
    // its Retry-After; a repeat of a PUT that was applied meanwhile answers 200.
    const seen: number[] = [];
    const putUntilAnswered = async (index: number) => {
      for (let attempt = 1; ; attempt++) {
        const response = await county.api.put(`/v1/tenants/${county.tenantId}/bookings/CONC-${index}`, {
          key: county.jail,
          body: {
            facilityId: county.facilityId,
            bookedAt: iso(now()),
            person: { firstName: 'Pat', lastName: `Lee${index}`, dateOfBirth: '1985-02-03' },
          },
        });
        seen.push(response.status);
        if (response.status !== 503 || attempt === 5) return response.status;
        await new Promise((done) => setTimeout(done, Number(response.headers.get('retry-after')) * 1000));
      }
    };
    const statuses = await Promise.all(Array.from({ length: 150 }, (_, index) => putUntilAnswered(index)));
    expect(seen.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    expect(statuses.filter((status) => status !== 201 && status !== 200)).toEqual([]);
    await aMinuteLater();
    expect(await verify(county)).toMatchObject({ ok: true, unsealed: 0 });
    // Correctness, not speed, is asserted: a loaded machine (2 cores shared) may take its time.
  }, 120_000);

  it('a chain that stays busy: 503 with Retry-After and nothing written, never 500', async () => {
    const county = await newCounty();
    const tenantDoc = (await runtime().tenantDb.forTenant(county.tenantId)).doc;
    tenantDoc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') {
          throw new TransactionCanceledException({
            $metadata: {},
            message: 'Transaction cancelled',
            CancellationReasons: [{ Code: 'TransactionConflict' }],
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'inject-busy' },
    );
    const response = await county.api.put(`/v1/tenants/${county.tenantId}/bookings/BUSY-1`, {
      key: county.jail,
      body: {
        facilityId: county.facilityId,
        bookedAt: iso(now()),
        person: { firstName: 'Kim', lastName: 'Busy', dateOfBirth: '1980-01-01' },
      },
    });
    tenantDoc.middlewareStack.remove('inject-busy');
    expectProblem(response, 503);
    expect(response.headers.get('retry-after')).toBe('1');
    const { Item } = await db().doc.send(
      new GetCommand({ TableName: db().tableName, Key: tenantKeys.booking(county.tenantId, 'BUSY-1') }),
    );
    expect(Item).toBeUndefined();
  });

  // Seen under heavy load: a dependency failure that is nobody's fault surfaced as a 500.
  it.each([
    [
      'a transaction cancelled by throttling',
      () =>
        new TransactionCanceledException({
          $metadata: {},
          message: 'Transaction cancelled',
          CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
        }),
    ],
    ['a server fault', () => new InternalServerError({ $metadata: {}, message: 'Internal server error' })],
    ['a dropped socket', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('%s after the retries: 503 with Retry-After, nothing written', async (_name, failure) => {
    const county = await newCounty();
    const tenantDoc = (await runtime().tenantDb.forTenant(county.tenantId)).doc;
    tenantDoc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand') throw failure();
        return next(args);
      },
      { step: 'initialize', name: 'inject-failure' },
    );
    const response = await county.api.put(`/v1/tenants/${county.tenantId}/bookings/DOWN-1`, {
      key: county.jail,
      body: {
        facilityId: county.facilityId,
        bookedAt: iso(now()),
        person: { firstName: 'Kim', lastName: 'Down', dateOfBirth: '1980-01-01' },
      },
    });
    tenantDoc.middlewareStack.remove('inject-failure');
    expectProblem(response, 503);
    expect(response.headers.get('retry-after')).toBe('1');
    const { Item } = await db().doc.send(
      new GetCommand({ TableName: db().tableName, Key: tenantKeys.booking(county.tenantId, 'DOWN-1') }),
    );
    expect(Item).toBeUndefined();
  });
});

describe('across a restart on kept data', () => {
  it('the checkpoint chain continues and verifies; nothing is sealed twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wso-seal-restart-'));
    const options = {
      dynamoEndpoint: await testDynamoEndpoint(),
      tableName: `test-${randomSecret(6).replace(/[^a-zA-Z0-9]/g, 'x')}`,
      adminKey: `test_admin_${randomSecret(18)}`,
      dataDir,
    };
    try {
      const first = await startLocalRuntime({ ...options, clock: new VirtualClock({ start: TEST_START }) });
      const county = await onboardCounty(first, 'restart-1');
      await first.drainStreams();
      await first.advanceTo(new Date(first.clock.now().getTime() + 60_000));
      const keys = [await first.sealer.ports.signer.publicKey()];
      await first.stop();

      const clock = new VirtualClock({ start: new Date(TEST_START.getTime() + HOUR) });
      const second = await startLocalRuntime({ ...options, clock });
      try {
        const again = { ...county, api: new ApiClient(second.url) };
        await serveHold(again, iso(clock.now().getTime()));
        await second.drainStreams();
        await second.advanceTo(new Date(clock.now().getTime() + 60_000));
        const response = await again.api.get<VerifyResult>(`/v1/tenants/${county.tenantId}/audit/verify`, {
          key: county.admin,
        });
        expect(response.body).toMatchObject({ ok: true, unsealed: 0, checkpoints: 2 });
        const report = await verifyOffline({
          baseUrl: second.url,
          apiKey: county.admin,
          tenantId: county.tenantId,
          keys,
        });
        expect(report).toMatchObject({ ok: true, checkpoints: 2 });
        expect((await second.sealer.ports.signer.publicKey()).kid).toBe(keys[0]?.kid);
        const listed = await again.api.get<{ items: { leaves: { ref: string }[] }[] }>(
          `/v1/tenants/${county.tenantId}/audit/checkpoints`,
          { key: county.admin },
        );
        const refs = listed.body.items.flatMap((item) => item.leaves.map((leaf) => leaf.ref));
        expect(new Set(refs).size).toBe(refs.length);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
