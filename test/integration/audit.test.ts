import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { chainHash } from '../../shared/audit/hash-chain.ts';
import { TENANT_AUDIT_SK } from '../../shared/audit/tenant-audit.ts';
import type { Hold } from '../../shared/domain/hold.ts';
import { tenantKeys, tenantPk } from '../../shared/store/keys.ts';
import { expectRoles, keysOf } from '../support/access.ts';
import { type County, onboardCounty, serveHold } from '../support/custody.ts';
import { expectProblem, issueKey } from '../support/fixtures.ts';
import { useRuntime } from '../support/runtime.ts';

const runtime = useRuntime();
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const now = () => runtime().clock.now().getTime();

interface Verification {
  ok: boolean;
  checked: number;
  holds: number;
  firstBroken?: {
    chain: string;
    holdId?: string;
    seq: number;
    eventId?: string;
    reason: string;
    detail: string;
  };
}

const verify = async (county: County, key = county.admin) => {
  const response = await county.api.get<Verification>(`/v1/tenants/${county.tenantId}/audit/verify`, { key });
  return response;
};

const verified = async (county: County): Promise<Verification> => {
  const response = await verify(county);
  expect(response.status, response.text).toBe(200);
  return response.body;
};

/** A hold served 50 h late: created straight OVERDUE, three chained events (created, release_due, overdue). */
const overdueHold = (county: County): Promise<Hold> => serveHold(county, iso(now() - 50 * HOUR));

/**
 * onboardCounty's changes on the county's own chain: tenant.created, four apikey.issued,
 * facility.created, officer.nominated, officer.credentialed.
 */
const ONBOARDING_EVENTS = 8;
/** Each serveHold also books (booking.recorded) and records a warrant (warrant.recorded). */
const PER_HOLD_TENANT_EVENTS = 2;

let counties = 0;
const newCounty = () => onboardCounty(runtime(), `audit-${++counties}`);

const eventKey = (county: County, holdId: string, seq: number) =>
  tenantKeys.holdEvent(county.tenantId, holdId, seq);

async function readEvent(county: County, holdId: string, seq: number): Promise<Record<string, unknown>> {
  const { Item } = await runtime().deps.db.doc.send(
    new GetCommand({ TableName: runtime().deps.db.tableName, Key: eventKey(county, holdId, seq) }),
  );
  if (!Item) throw new Error('event not found');
  return Item;
}

describe('GET /audit/verify', () => {
  let untouched: County;
  beforeAll(async () => {
    untouched = await newCounty();
    await overdueHold(untouched);
    await serveHold(untouched, iso(now()));
  });

  it('verifies every chain of an untouched county', async () => {
    // Hold chains: 3 + 1 events; the county's own chain: onboarding and two bookings with warrants.
    const tenantEvents = ONBOARDING_EVENTS + 2 * PER_HOLD_TENANT_EVENTS;
    expect(await verified(untouched)).toMatchObject({ ok: true, checked: 4 + tenantEvents, holds: 2 });
  });

  it('names an event changed by hand (UpdateItem): hash mismatch at that seq', async () => {
    const county = await newCounty();
    await serveHold(county, iso(now()));
    const hold = await overdueHold(county);
    const target = await readEvent(county, hold.holdId, 2);
    await runtime().deps.db.doc.send(
      new UpdateCommand({
        TableName: runtime().deps.db.tableName,
        Key: eventKey(county, hold.holdId, 2),
        UpdateExpression: 'SET #after.#status = :status',
        ExpressionAttributeNames: { '#after': 'after', '#status': 'status' },
        ExpressionAttributeValues: { ':status': 'TRANSFERRED' },
      }),
    );
    const result = await verified(county);
    expect(result).toMatchObject({
      ok: false,
      firstBroken: {
        chain: 'hold',
        holdId: hold.holdId,
        seq: 2,
        eventId: target.eventId,
        reason: 'hash-mismatch',
      },
    });
    // Another county is unaffected.
    expect((await verified(untouched)).ok).toBe(true);
  });

  it('an edit whose own hash was recomputed breaks the next link: prevHash mismatch', async () => {
    const county = await newCounty();
    const hold = await overdueHold(county);
    const first = await readEvent(county, hold.holdId, 1);
    const { pk: _pk, sk: _sk, entity: _entity, hash: _hash, ...content } = first;
    const forged = { ...content, actor: { kind: 'credential', keyId: 'someone-else', role: 'jail-system' } };
    await runtime().deps.db.doc.send(
      new PutCommand({
        TableName: runtime().deps.db.tableName,
        Item: { ...first, ...forged, hash: chainHash(String(first.prevHash), forged) },
      }),
    );
    const second = await readEvent(county, hold.holdId, 2);
    expect(await verified(county)).toMatchObject({
      ok: false,
      firstBroken: { holdId: hold.holdId, seq: 2, eventId: second.eventId, reason: 'prev-hash-mismatch' },
    });
  });

  it('a deleted event is a missing seq; a deleted last event is caught by the hold\u2019s head', async () => {
    const county = await newCounty();
    const hold = await overdueHold(county);
    const third = await readEvent(county, hold.holdId, 3);
    await runtime().deps.db.doc.send(
      new DeleteCommand({ TableName: runtime().deps.db.tableName, Key: eventKey(county, hold.holdId, 2) }),
    );
    expect(await verified(county)).toMatchObject({
      ok: false,
      firstBroken: { holdId: hold.holdId, seq: 2, eventId: third.eventId, reason: 'missing-seq' },
    });

    const tail = await newCounty();
    const tailHold = await overdueHold(tail);
    await runtime().deps.db.doc.send(
      new DeleteCommand({ TableName: runtime().deps.db.tableName, Key: eventKey(tail, tailHold.holdId, 3) }),
    );
    const result = await verified(tail);
    expect(result).toMatchObject({
      ok: false,
      firstBroken: { holdId: tailHold.holdId, seq: 3, reason: 'missing-seq' },
    });
    expect(result.firstBroken?.eventId).toBeUndefined();
  });

  it('covers the county\u2019s own chain: webhook subscriptions created and deleted', async () => {
    const county = await newCounty();
    const created = await county.api.post<{ webhookId: string }>(`/v1/tenants/${county.tenantId}/webhooks`, {
      key: county.admin,
      body: { url: 'https://hooks.jailvendor.example.com/wso', events: ['hold.created'] },
    });
    expect(created.status, created.text).toBe(201);
    const deleted = await county.api.delete(
      `/v1/tenants/${county.tenantId}/webhooks/${created.body.webhookId}`,
      {
        key: county.admin,
      },
    );
    expect(deleted.status).toBe(204);
    expect(await verified(county)).toMatchObject({ ok: true, checked: ONBOARDING_EVENTS + 2, holds: 0 });

    const listed = await county.api.get<{ items: { eventId: string; type: string }[] }>(
      `/v1/tenants/${county.tenantId}/audit/events?limit=100`,
      { key: county.admin },
    );
    const createdEvent = listed.body.items.find((item) => item.type === 'webhook.created');
    const eventKeyOf = {
      pk: tenantPk(county.tenantId),
      sk: TENANT_AUDIT_SK.event(createdEvent?.eventId ?? ''),
    };
    const { Item: event } = await runtime().deps.db.doc.send(
      new GetCommand({ TableName: runtime().deps.db.tableName, Key: eventKeyOf }),
    );
    expect(event).toMatchObject({
      type: 'webhook.created',
      subject: { kind: 'webhook', id: created.body.webhookId },
      actor: { kind: 'credential', role: 'county-admin' },
      seq: 1,
      before: null,
    });
    expect(JSON.stringify(event)).not.toContain('whsec_');
    await runtime().deps.db.doc.send(
      new UpdateCommand({
        TableName: runtime().deps.db.tableName,
        Key: eventKeyOf,
        UpdateExpression: 'SET #after.#url = :url',
        ExpressionAttributeNames: { '#after': 'after', '#url': 'url' },
        ExpressionAttributeValues: { ':url': 'https://attacker.example.com/' },
      }),
    );
    expect(await verified(county)).toMatchObject({
      ok: false,
      firstBroken: {
        chain: 'entity',
        entity: { kind: 'webhook', id: created.body.webhookId },
        seq: 1,
        eventId: event?.eventId,
        reason: 'hash-mismatch',
      },
    });
  });

  it('is county-admin (or state-oversight) only (403), hidden from other counties (404), and takes no query', async () => {
    const county = await newCounty();
    const other = await newCounty();
    expectProblem(await verify(county, other.admin), 404, 'not-found');
    await expectRoles(keysOf(county, runtime().adminKey), ['county-admin'], (key) => verify(county, key));
    // state-oversight of the county's state may verify it (audit-checkpoints.test.ts covers the rest).
    expectProblem(
      await county.api.get(`/v1/tenants/${county.tenantId}/audit/verify?deep=true`, { key: county.admin }),
      400,
    );
  });
});

describe('reads of person data', () => {
  it('log personDataRead with the credential, tenant, booking number and request id', async () => {
    const county = await newCounty();
    const hold = await serveHold(county, iso(now()));
    const reader = await issueKey(county.api, county.admin, county.tenantId, 'ice-liaison');
    const spy = vi.spyOn(runtime().deps.logger, 'info');
    try {
      const response = await county.api.get(`/v1/tenants/${county.tenantId}/bookings/${hold.bookingNumber}`, {
        key: reader.apiKey,
      });
      expect(response.status, response.text).toBe(200);
      const reads = spy.mock.calls.filter(([message]) => message === 'personDataRead');
      expect(reads).toEqual([
        [
          'personDataRead',
          {
            audit: 'personDataRead',
            keyId: reader.keyId,
            role: 'ice-liaison',
            keyScope: 'tenant',
            tenantId: county.tenantId,
            record: 'booking',
            bookingNumber: hold.bookingNumber,
            requestId: response.headers.get('x-request-id'),
          },
        ],
      ]);
      spy.mockClear();
      // A refused read (another county's key) is no read of person data.
      const other = await newCounty();
      expect(
        (
          await county.api.get(`/v1/tenants/${county.tenantId}/bookings/${hold.bookingNumber}`, {
            key: other.admin,
          })
        ).status,
      ).toBe(404);
      expect(spy.mock.calls.filter(([message]) => message === 'personDataRead')).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
