import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditContext } from '../../shared/audit/tenant-audit.ts';
import { removePersonData } from '../../shared/lifecycle/person-data-removal.ts';
import { mapPerson, removePerson } from '../../shared/people/people.ts';
import { TENANT_AUDIT_SK } from '../../shared/store/audit-chains.ts';
import { upsertBooking } from '../../shared/store/bookings.ts';
import { createFacility } from '../../shared/store/facilities.ts';
import { tenantKeys, tenantPk } from '../../shared/store/keys.ts';
import { personKeys } from '../../shared/store/people.ts';
import { createTenant, patchTenant } from '../../shared/store/tenants.ts';
import type { StoredItem } from '../../shared/store/unit-of-work.ts';
import { recordWarrant } from '../../shared/store/warrants.ts';
import {
  createWebhook,
  deleteWebhook,
  MAX_WEBHOOKS_PER_TENANT,
  webhookKey,
} from '../../shared/store/webhook-subscriptions.ts';
import { LocalSecretBox } from '../../shared/webhooks/local-secret-box.ts';
import { FakeStorage } from './support/fake-storage.ts';

/**
 * The county's other audited writes (tenant, facility, booking upsert, warrant, seal, people,
 * webhooks) on the
 * intent-level fake: each commits its intents with the entity's audit event as one unit of work,
 * and a refusal by its own rule is answered, with nothing written.
 */
const T = 'pinellas-fl';
const NOW = new Date('2026-11-24T03:00:00Z');
const audit: AuditContext = { actor: { kind: 'credential', keyId: 'k1', role: 'county-admin' } };
const person = { firstName: 'Ana', lastName: 'Doe', dateOfBirth: '1990-01-01' };
const booking = { facilityId: 'main-jail', bookedAt: '2026-11-23T20:00:00Z', person };
const county = {
  tenantId: T,
  countyFips: '12103',
  state: 'FL',
  name: 'Pinellas County',
  timeZone: 'America/New_York',
  agreements: { wsoMoaSignedOn: '2019-05-01', igsa: false, boa: true },
};

let storage: FakeStorage;
let deps: { db: ReturnType<FakeStorage['db']>; ids: { next(): string } };
const events = () =>
  [...storage.items.values()]
    .filter((item) => item.pk === tenantPk(T) && String(item.sk).startsWith(TENANT_AUDIT_SK.event('')))
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
    .map((event) => `${String(event.type)} ${(event.subject as { id: string }).id} #${String(event.seq)}`);

beforeEach(() => {
  storage = new FakeStorage();
  let n = 0;
  deps = { db: storage.db(), ids: { next: () => `01EVENT${String(++n).padStart(4, '0')}` } };
});

describe('audited writes of a county (intent-level fake)', () => {
  it('tenant: created once; settings conditional on the version read', async () => {
    expect(await createTenant(deps, county, NOW, audit)).toMatchObject({ version: 1 });
    expect(await createTenant(deps, county, NOW, audit)).toBeUndefined();
    expect(await patchTenant(deps, T, { releaseLeadMinutes: 90 }, NOW, audit)).toMatchObject({
      kind: 'ok',
      tenant: { releaseLeadMinutes: 90, version: 2 },
    });
    // Another admin's change lands between our read and our commit: ours is refused, not applied.
    storage.interleaved.push(() => {
      const profile = storage.get({ pk: tenantPk(T), sk: 'PROFILE' }) as StoredItem;
      storage.put({ ...profile, pk: tenantPk(T), sk: 'PROFILE', version: 3 });
    });
    expect(await patchTenant(deps, T, { releaseLeadMinutes: 30 }, NOW, audit)).toEqual({ kind: 'conflict' });
    expect(storage.get({ pk: tenantPk(T), sk: 'PROFILE' })?.releaseLeadMinutes).toBe(90);
    expect(events()).toEqual(['tenant.created pinellas-fl #1', 'tenant.settings_changed pinellas-fl #2']);
  });

  it('facility and warrant: created once, a warrant only for a booking of the county', async () => {
    expect(
      await createFacility(deps, T, { facilityId: 'main-jail', name: 'Main' }, NOW, audit),
    ).toBeDefined();
    expect(
      await createFacility(deps, T, { facilityId: 'main-jail', name: 'Main' }, NOW, audit),
    ).toBeUndefined();
    const warrant = {
      warrantId: 'W-1',
      form: 'I-200' as const,
      issuedAt: '2026-11-23T21:00:00Z',
      issuingOfficer: 'SDDO Smith',
      fieldOffice: 'Miami',
      bookingNumber: 'B-1',
    };
    expect(await recordWarrant(deps, T, warrant, NOW, audit)).toEqual({ kind: 'booking-not-found' });
    await upsertBooking(deps, T, 'B-1', booking, NOW, audit);
    expect(await recordWarrant(deps, T, warrant, NOW, audit)).toMatchObject({ kind: 'created' });
    expect(await recordWarrant(deps, T, warrant, NOW, audit)).toEqual({ kind: 'exists' });
    expect(events()).toEqual([
      'facility.created main-jail #1',
      'booking.recorded B-1 #1',
      'warrant.recorded W-1 #1',
    ]);
  });

  it('booking upsert: recorded, updated at the version read, unchanged when the same; a release meanwhile refuses it', async () => {
    expect(await upsertBooking(deps, T, 'B-1', booking, NOW, audit)).toMatchObject({ kind: 'created' });
    const moved = { ...booking, person: { ...person, lastName: 'Doe-Smith' } };
    expect(await upsertBooking(deps, T, 'B-1', moved, NOW, audit)).toMatchObject({
      kind: 'updated',
      booking: { version: 2, status: 'IN_CUSTODY' },
    });
    expect(await upsertBooking(deps, T, 'B-1', moved, NOW, audit)).toMatchObject({ kind: 'unchanged' });
    const key = tenantKeys.booking(T, 'B-1');
    storage.interleaved.push(() =>
      storage.put({ ...(storage.get(key) as StoredItem), ...key, status: 'RELEASED' }),
    );
    expect(await upsertBooking(deps, T, 'B-1', booking, NOW, audit)).toEqual({ kind: 'released' });
    expect(events()).toEqual(['booking.recorded B-1 #1', 'booking.updated B-1 #2']);
  });

  it('seal: the person data removed with booking.sealed in one commit; refused while a hold is open', async () => {
    await upsertBooking(deps, T, 'B-1', booking, NOW, audit);
    const key = tenantKeys.booking(T, 'B-1');
    const sealed = { at: '2026-11-24T03:00:00Z', reason: 'COURT_ORDER' as const, orderReference: 'ORD-1' };
    storage.put({ ...(storage.get(key) as StoredItem), ...key, openHoldId: 'h-1' });
    expect(await removePersonData(deps, T, 'B-1', { kind: 'seal', sealed }, sealed.at, audit)).toEqual({
      kind: 'open-hold',
    });
    const { openHoldId: _closed, ...free } = storage.get(key) as StoredItem;
    storage.put({ ...free, ...key });
    expect(await removePersonData(deps, T, 'B-1', { kind: 'seal', sealed }, sealed.at, audit)).toMatchObject({
      kind: 'removed',
    });
    expect(storage.get(key)?.person).toBeUndefined();
    expect(storage.get(key)).toMatchObject({ sealed, version: 2 });
    expect(events()).toEqual(['booking.recorded B-1 #1', 'booking.sealed B-1 #2']);
  });
  it('people: a county\u2019s mapping and removal each on the person\u2019s chain; an identity maps once; a state\u2019s on none', async () => {
    const peopleDeps = { ...deps, clock: { now: () => NOW } };
    const request = {
      name: 'Dana',
      role: 'ice-liaison' as const,
      scope: { kind: 'tenant' as const, tenantId: T },
      identity: { kind: 'email' as const, email: 'dana@pinellas.example' },
    };
    // No county yet: refused by the tenant's rule, nothing written.
    expect(await mapPerson(peopleDeps, request, audit)).toEqual({ ok: false, reason: 'no-owner' });
    expect(storage.items.size).toBe(0);
    await createTenant(deps, county, NOW, audit);
    const mapped = await mapPerson(peopleDeps, request, audit);
    if (!mapped.ok) throw new Error('not mapped');
    expect(await mapPerson(peopleDeps, request, audit)).toEqual({ ok: false, reason: 'identity-taken' });
    const id = mapped.person.personId;
    // Another admin removes the person between our read and our commit: both answer "removed".
    storage.interleaved.push(() => {
      storage.remove(personKeys.pointer(request.scope, id));
      storage.remove(personKeys.byIdentity(request.identity));
    });
    expect(await removePerson(peopleDeps, request.scope, id, audit)).toBe(true);
    expect(await removePerson(peopleDeps, request.scope, id, audit)).toBe(false);
    expect(events().filter((event) => event.includes(id))).toEqual([`signin.mapped ${id} #1`]);
    const again = await mapPerson(peopleDeps, request, audit);
    if (!again.ok) throw new Error('not mapped again');
    expect(await removePerson(peopleDeps, request.scope, again.person.personId, audit)).toBe(true);
    expect(events().filter((event) => event.includes(again.person.personId))).toEqual([
      `signin.mapped ${again.person.personId} #1`,
      `signin.removed ${again.person.personId} #2`,
    ]);
    // A state's auditor belongs to no county's chain.
    const before = events().length;
    const auditor = await mapPerson(
      peopleDeps,
      { ...request, role: 'state-oversight', scope: { kind: 'state', state: 'FL' } },
      audit,
    );
    expect(auditor.ok).toBe(true);
    expect(events().length).toBe(before);
  });
  it('webhooks: created with its secret sealed and webhook.created, at most 25 a county; deleted once', async () => {
    const webhookDeps = {
      ...deps,
      clock: { now: () => NOW },
      webhookSecrets: new LocalSecretBox(Buffer.alloc(32, 7)),
    };
    const input = { url: 'https://jail.example/hooks', events: ['hold.created' as const] };
    expect(await createWebhook(webhookDeps, T, input, audit)).toEqual({ kind: 'tenant-not-found' });
    await createTenant(deps, county, NOW, audit);
    const ids: string[] = [];
    for (let n = 0; n < MAX_WEBHOOKS_PER_TENANT; n++) {
      const created = await createWebhook(webhookDeps, T, input, audit);
      if (created.kind !== 'created') throw new Error(created.kind);
      ids.push(created.webhook.webhookId);
      const stored = storage.get(webhookKey(T, created.webhook.webhookId));
      expect(stored?.sealedSecret).toEqual(expect.any(String));
      expect(JSON.stringify(stored)).not.toContain(created.secret);
    }
    // The cap is counted on the port's consistent listing (the fake's, here).
    expect(await createWebhook(webhookDeps, T, input, audit)).toEqual({ kind: 'limit-reached' });
    expect(await deleteWebhook(webhookDeps, T, ids[0] as string, audit)).toBe(true);
    expect(await deleteWebhook(webhookDeps, T, ids[0] as string, audit)).toBe(false);
    expect(events().filter((event) => event.includes(ids[0] as string))).toEqual([
      `webhook.created ${ids[0]} #1`,
      `webhook.deleted ${ids[0]} #2`,
    ]);
  });
});
