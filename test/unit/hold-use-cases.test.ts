import { Logger } from '@aws-lambda-powertools/logger';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppDeps } from '../../shared/app-deps.ts';
import { AuditChainBusyError } from '../../shared/audit/tenant-audit.ts';
import { knownCaller } from '../../shared/auth/caller.ts';
import { VirtualClock } from '../../shared/clock.ts';
import {
  releaseBooking,
  releaseHold,
  type ServeInput,
  serveWarrant,
  transferHold,
  withdrawWarrant,
} from '../../shared/holds/use-cases.ts';
import { ulidGenerator } from '../../shared/ids.ts';
import { noDeliveries, noWebhookSecrets } from '../../shared/runtime/unused-ports.ts';
import { auditHeadKey, TENANT_AUDIT_SK } from '../../shared/store/audit-chains.ts';
import { keys, tenantKeys, tenantPk } from '../../shared/store/keys.ts';
import { RacesLost, type StoredItem } from '../../shared/store/unit-of-work.ts';
import type { TimerPayload } from '../../shared/timers/hold-timers.ts';
import { FakeStorage } from './support/fake-storage.ts';
import { refusedWith } from './support/refused.ts';

/**
 * The hold use cases without DynamoDB Local: the storage port is an in-memory fake at the intent
 * level (support/fake-storage.ts), the Scheduler a list. What is asserted is what the use cases
 * decide and what their one transaction leaves behind.
 */
const T = 'pinellas-fl';
const NOW = new Date('2026-11-24T03:00:00Z');
const actor = { kind: 'credential', keyId: 'key-1', role: 'jail-system' } as const;
const caller = knownCaller(actor);
const HOUR = 3_600_000;

let storage: FakeStorage;
let deps: AppDeps;
let armed: TimerPayload[];
let disarmed: string[];

function seed(overrides: { booking?: StoredItem; officer?: StoredItem; warrant?: StoredItem } = {}) {
  storage.put({
    ...keys.tenantProfile(T),
    tenantId: T,
    state: 'FL',
    releaseLeadMinutes: 60,
    agreements: { wsoMoaSignedOn: '2019-05-01', igsa: false, boa: true },
  });
  storage.put({
    ...tenantKeys.booking(T, 'B-1'),
    bookingNumber: 'B-1',
    facilityId: 'main-jail',
    status: 'IN_CUSTODY',
    bookedAt: '2026-11-23T20:00:00Z',
    ...overrides.booking,
  });
  storage.put({
    ...tenantKeys.officer(T, 'o-1'),
    officerId: 'o-1',
    status: 'CREDENTIALED',
    credentialExpiresOn: '2027-10-15',
    facilityIds: ['main-jail'],
    version: 2,
    ...overrides.officer,
  });
  storage.put({
    ...tenantKeys.warrant(T, 'W-1'),
    warrantId: 'W-1',
    status: 'RECEIVED',
    bookingNumber: 'B-1',
    ...overrides.warrant,
  });
}

const service: ServeInput = {
  warrantId: 'W-1',
  bookingNumber: 'B-1',
  officerId: 'o-1',
  servedAt: new Date(NOW.getTime() - HOUR),
  basis: 'WSO',
};

beforeEach(() => {
  storage = new FakeStorage();
  armed = [];
  disarmed = [];
  const clock = new VirtualClock({ start: NOW });
  deps = {
    db: storage.db(),
    clock,
    ids: ulidGenerator(clock),
    logger: new Logger({ logLevel: 'SILENT' }),
    config: { stage: 'test', local: true },
    timers: {
      arm: async (payload) => {
        armed.push(payload);
      },
      disarm: async (holdId, step) => {
        disarmed.push(`${holdId}-${step}`);
      },
    },
    deliveries: noDeliveries('hold use-case test'),
    webhookSecrets: noWebhookSecrets('hold use-case test'),
    usagePlanKeys: {
      register: () => Promise.reject(new Error('no usage plan in the hold use-case test')),
      remove: () => Promise.reject(new Error('no usage plan in the hold use-case test')),
      adopt: () => Promise.reject(new Error('no usage plan in the hold use-case test')),
    },
  };
});

describe('serving a warrant (no DynamoDB)', () => {
  it('opens an ACTIVE hold in one unit of work and arms its next step', async () => {
    seed();
    const hold = await serveWarrant(deps, T, service, caller);
    expect(hold).toMatchObject({
      status: 'ACTIVE',
      bookingNumber: 'B-1',
      facilityId: 'main-jail',
      version: 1,
    });
    expect(storage.committed).toHaveLength(1);
    expect(storage.get(tenantKeys.booking(T, 'B-1'))?.openHoldId).toBe(hold.holdId);
    expect(storage.get(tenantKeys.warrant(T, 'W-1'))).toMatchObject({
      status: 'SERVED',
      holdId: hold.holdId,
    });
    expect(storage.get(tenantKeys.hold(T, hold.holdId))).toMatchObject({ status: 'ACTIVE' });
    expect(armed).toEqual([expect.objectContaining({ holdId: hold.holdId, dueAt: hold.nextActionAt })]);
  });

  const refusals: [string, Parameters<typeof seed>[0], Partial<ServeInput>][] = [
    ['served-in-future', {}, { servedAt: new Date(NOW.getTime() + HOUR) }],
    ['booking-not-found', {}, { bookingNumber: 'B-9', warrantId: 'W-1' }],
    ['booking-released', { booking: { status: 'RELEASED' } }, {}],
    ['open-hold-exists', { booking: { openHoldId: 'h-0' } }, {}],
    ['served-before-booking', {}, { servedAt: new Date('2026-11-23T19:00:00Z') }],
    ['officer-not-found', {}, { officerId: 'o-9' }],
    ['officer-not-credentialed', { officer: { status: 'SUSPENDED' } }, {}],
    ['officer-credential-expired', { officer: { credentialExpiresOn: '2026-11-01' } }, {}],
    ['officer-not-assigned-to-facility', { officer: { facilityIds: ['annex'] } }, {}],
    ['warrant-not-found', {}, { warrantId: 'W-9' }],
    ['warrant-withdrawn', { warrant: { status: 'WITHDRAWN' } }, {}],
    ['warrant-already-served', { warrant: { status: 'SERVED' } }, {}],
    ['warrant-for-another-booking', { warrant: { bookingNumber: 'B-2' } }, {}],
    ['no-igsa-agreement', {}, { basis: 'IGSA' }],
  ];
  it.each(refusals)('refuses by %s, writing nothing', async (slug, facts, input) => {
    seed(facts);
    expect(await refusedWith(serveWarrant(deps, T, { ...service, ...input }, caller))).toBe(slug);
    expect(storage.committed).toHaveLength(0);
    expect(armed).toHaveLength(0);
  });

  it('a rule broken between the read and the commit is named by the fresh read after the refusal', async () => {
    seed();
    // Another request suspends the officer after our read: the officer intent's condition refuses,
    // the use case reads again, and the fresh read names the rule.
    storage.interleaved.push(() =>
      storage.put({
        ...(storage.get(tenantKeys.officer(T, 'o-1')) as StoredItem),
        ...tenantKeys.officer(T, 'o-1'),
        status: 'SUSPENDED',
      }),
    );
    expect(await refusedWith(serveWarrant(deps, T, service, caller))).toBe('officer-not-credentialed');
    expect(storage.committed).toHaveLength(0);
  });

  /** What each read of the port asked for, by name. */
  const recordReads = (): string[][] => {
    const reads: string[][] = [];
    const read = storage.read.bind(storage);
    storage.read = (wanted) => {
      reads.push(Object.keys(wanted).filter((name) => wanted[name] !== undefined));
      return read(wanted);
    };
    return reads;
  };

  it('reads the tenant and the booking only: the officer\u2019s and warrant\u2019s rules are the transaction\u2019s', async () => {
    seed();
    const reads = recordReads();
    await serveWarrant(deps, T, service, caller);
    expect(reads).toEqual([['tenant', 'booking']]);
    expect(storage.committed).toHaveLength(1);
  });

  it('a refused commit reads the officer and the warrant too, and names the broken rule', async () => {
    seed({ warrant: { status: 'WITHDRAWN' } });
    const reads = recordReads();
    expect(await refusedWith(serveWarrant(deps, T, service, caller))).toBe('warrant-withdrawn');
    expect(reads).toEqual([
      ['tenant', 'booking'],
      ['tenant', 'booking', 'officer', 'warrant'],
    ]);
  });

  it('an IGSA service without an IGSA still answers an officer\u2019s broken rule first, as one full check', async () => {
    seed({ officer: { status: 'SUSPENDED' } });
    expect(await refusedWith(serveWarrant(deps, T, { ...service, basis: 'IGSA' }, caller))).toBe(
      'officer-not-credentialed',
    );
    expect(storage.committed).toHaveLength(0);
  });

  it('a race lost to a concurrent service is retried and refused as open-hold-exists', async () => {
    seed();
    storage.interleaved.push(() => {
      const booking = storage.get(tenantKeys.booking(T, 'B-1')) as StoredItem;
      storage.put({ ...booking, ...tenantKeys.booking(T, 'B-1'), openHoldId: 'h-other' });
    });
    expect(await refusedWith(serveWarrant(deps, T, service, caller))).toBe('open-hold-exists');
  });
});

describe('hold transitions (no DynamoDB)', () => {
  async function served() {
    seed();
    return serveWarrant(deps, T, service, caller);
  }

  it('transfer: TRANSFERRED, the booking closed as TRANSFERRED_TO_ICE, the timer disarmed', async () => {
    const hold = await served();
    const done = await transferHold(
      deps,
      T,
      hold.holdId,
      { transferredAt: NOW, receivingOfficer: 'ICE 7' },
      caller,
    );
    expect(done).toMatchObject({ status: 'TRANSFERRED', late: false, version: 2 });
    expect(storage.get(tenantKeys.booking(T, 'B-1'))).toMatchObject({
      status: 'RELEASED',
      releaseReason: 'TRANSFERRED_TO_ICE',
    });
    expect(storage.get(tenantKeys.booking(T, 'B-1'))?.openHoldId).toBeUndefined();
    expect(disarmed).toHaveLength(1);
    expect(
      await refusedWith(
        transferHold(deps, T, hold.holdId, { transferredAt: NOW, receivingOfficer: 'x' }, caller),
      ),
    ).toBe('transition-not-allowed');
  });

  it('release: RELEASED and the booking released; releasedAt before service is refused', async () => {
    const hold = await served();
    expect(
      await refusedWith(releaseHold(deps, T, hold.holdId, new Date('2026-11-24T01:00:00Z'), caller)),
    ).toBe('release-before-service');
    const done = await releaseHold(deps, T, hold.holdId, NOW, caller);
    expect(done).toMatchObject({ status: 'RELEASED', version: 2 });
    expect(storage.get(tenantKeys.booking(T, 'B-1'))).toMatchObject({
      status: 'RELEASED',
      releaseReason: 'RELEASED',
    });
  });

  it('cancel (warrant withdrawn): CANCELLED, the warrant WITHDRAWN, the booking free for another service', async () => {
    const hold = await served();
    const result = await withdrawWarrant(deps, T, 'W-1', 'rescinded', actor);
    expect(result.hold).toMatchObject({
      holdId: hold.holdId,
      status: 'CANCELLED',
      cancelReason: 'rescinded',
    });
    expect(storage.get(tenantKeys.warrant(T, 'W-1'))).toMatchObject({ status: 'WITHDRAWN' });
    const booking = storage.get(tenantKeys.booking(T, 'B-1'));
    expect(booking).toMatchObject({ status: 'IN_CUSTODY' });
    expect(booking?.openHoldId).toBeUndefined();
  });

  it('a transition that lost a race to another change is decided again on the fresh hold', async () => {
    const hold = await served();
    // A release lands between our read and our commit: the hold's version condition refuses the
    // transfer; the retry reads RELEASED and refuses by the state machine.
    storage.interleaved.push(() => {
      const stored = storage.get(tenantKeys.hold(T, hold.holdId)) as StoredItem;
      storage.put({ ...stored, ...tenantKeys.hold(T, hold.holdId), status: 'RELEASED', version: 2 });
    });
    expect(
      await refusedWith(
        transferHold(deps, T, hold.holdId, { transferredAt: NOW, receivingOfficer: 'x' }, caller),
      ),
    ).toBe('transition-not-allowed');
  });
});

describe('booking release and warrant withdrawal without a hold (no DynamoDB)', () => {
  const bookingKey = tenantKeys.booking(T, 'B-1');
  const warrantKey = tenantKeys.warrant(T, 'W-1');
  const auditEvents = () =>
    [...storage.items.values()]
      .filter((item) => item.pk === tenantPk(T) && String(item.sk).startsWith(TENANT_AUDIT_SK.event('')))
      .map((event) => `${String(event.type)} ${(event.subject as { id: string }).id} #${String(event.seq)}`);

  it('release: the booking RELEASED with its booking.released event in one commit, listed for retention', async () => {
    seed();
    const result = await releaseBooking(deps, T, 'B-1', NOW, actor, 'req-1');
    expect(result).toEqual({ bookingNumber: 'B-1', status: 'RELEASED', releasedAt: '2026-11-24T03:00:00Z' });
    expect(storage.committed).toHaveLength(1);
    expect(storage.committed[0]?.map((i) => `${i.module}: ${i.rule}`)).toEqual([
      'bookings: booking-in-custody-without-hold',
      'audit: audit-head-unchanged',
      'audit: audit-event-new',
    ]);
    expect(storage.get(bookingKey)).toMatchObject({
      status: 'RELEASED',
      releasedAt: '2026-11-24T03:00:00Z',
      releaseReason: 'RELEASED',
    });
    expect(auditEvents()).toEqual(['booking.released B-1 #1']);
    expect(storage.get(auditHeadKey(T, { kind: 'booking', id: 'B-1' }))).toMatchObject({ seq: 1 });
    expect(armed).toHaveLength(0);
  });

  const refusals: [string, Parameters<typeof seed>[0], string, Date][] = [
    ['not-found', {}, 'B-9', NOW],
    ['booking-released', { booking: { status: 'RELEASED' } }, 'B-1', NOW],
    ['release-before-booking', {}, 'B-1', new Date('2026-11-23T19:00:00Z')],
    ['releasedAt-in-future', {}, 'B-1', new Date(NOW.getTime() + HOUR)],
  ];
  it.each(refusals)('release refuses by %s, writing nothing', async (slug, facts, bookingNumber, at) => {
    seed(facts);
    expect(await refusedWith(releaseBooking(deps, T, bookingNumber, at, actor))).toBe(slug);
    expect(storage.committed).toHaveLength(0);
  });

  it('a hold served between the read and the commit: the release is refused, read again, and closes the hold', async () => {
    seed();
    const hold = await serveWarrant(deps, T, service, caller);
    const served = storage.get(bookingKey) as StoredItem;
    // Our release reads the booking as it was before the service, and the service's marker lands
    // between that read and our commit.
    const { openHoldId: _marker, ...beforeService } = served;
    storage.put({ ...beforeService, ...bookingKey });
    storage.interleaved.push(() => storage.put({ ...served, ...bookingKey }));
    const result = await releaseBooking(deps, T, 'B-1', NOW, actor);
    expect(result.hold).toMatchObject({ holdId: hold.holdId, status: 'RELEASED' });
    expect(storage.get(bookingKey)?.openHoldId).toBeUndefined();
    expect(auditEvents()).toEqual([]);
  });

  it('an audit head moved meanwhile is retried from a fresh read; one that stays busy is 503 (AuditChainBusyError)', async () => {
    seed();
    const head = auditHeadKey(T, { kind: 'booking', id: 'B-1' });
    storage.interleaved.push(() => storage.put({ ...head, seq: 1, hash: 'x'.repeat(64) }));
    await releaseBooking(deps, T, 'B-1', NOW, actor);
    expect(auditEvents()).toEqual(['booking.released B-1 #2']);

    storage.put({
      ...tenantKeys.booking(T, 'B-2'),
      bookingNumber: 'B-2',
      facilityId: 'main-jail',
      status: 'IN_CUSTODY',
      bookedAt: '2026-11-23T20:00:00Z',
    });
    const busy = auditHeadKey(T, { kind: 'booking', id: 'B-2' });
    let seq = 0;
    storage.interleaved.push(
      ...Array.from({ length: 20 }, () => () => storage.put({ ...busy, seq: ++seq, hash: 'y'.repeat(64) })),
    );
    await expect(releaseBooking(deps, T, 'B-2', NOW, actor)).rejects.toBeInstanceOf(AuditChainBusyError);
    expect(storage.get(tenantKeys.booking(T, 'B-2'))?.status).toBe('IN_CUSTODY');
  });

  it('withdraw without a hold: WITHDRAWN with its warrant.withdrawn event in one commit; twice is warrant-withdrawn', async () => {
    seed();
    const result = await withdrawWarrant(deps, T, 'W-1', 'rescinded', actor);
    expect(result).toMatchObject({ warrantId: 'W-1', status: 'WITHDRAWN' });
    expect(result.hold).toBeUndefined();
    expect(storage.committed).toHaveLength(1);
    expect(storage.committed[0]?.map((i) => `${i.module}: ${i.rule}`)).toEqual([
      'warrants: warrant-unchanged',
      'audit: audit-head-unchanged',
      'audit: audit-event-new',
    ]);
    expect(storage.get(warrantKey)).toMatchObject({ status: 'WITHDRAWN', withdrawReason: 'rescinded' });
    expect(auditEvents()).toEqual(['warrant.withdrawn W-1 #1']);
    expect(await refusedWith(withdrawWarrant(deps, T, 'W-1', 'again', actor))).toBe('warrant-withdrawn');
    expect(await refusedWith(withdrawWarrant(deps, T, 'W-9', 'x', actor))).toBe('not-found');
    expect(storage.committed).toHaveLength(1);
  });

  it('withdraw of a warrant whose hold is closed leaves the hold alone and goes on the warrant chain', async () => {
    seed();
    const hold = await serveWarrant(deps, T, service, caller);
    await transferHold(deps, T, hold.holdId, { transferredAt: NOW, receivingOfficer: 'ICE 7' }, caller);
    const result = await withdrawWarrant(deps, T, 'W-1', 'moot', actor);
    expect(result.hold).toMatchObject({ holdId: hold.holdId, status: 'TRANSFERRED' });
    expect(storage.get(warrantKey)).toMatchObject({ status: 'WITHDRAWN' });
    expect(auditEvents()).toEqual(['warrant.withdrawn W-1 #1']);
  });

  it('a warrant that keeps changing between read and commit ends as RacesLost (409), nothing written', async () => {
    seed();
    storage.interleaved.push(
      ...Array.from({ length: 20 }, (_, n) => () => {
        const warrant = storage.get(warrantKey) as StoredItem;
        storage.put({ ...warrant, ...warrantKey, status: n % 2 === 0 ? 'SERVED' : 'RECEIVED' });
      }),
    );
    await expect(withdrawWarrant(deps, T, 'W-1', 'x', actor)).rejects.toBeInstanceOf(RacesLost);
    expect(auditEvents()).toEqual([]);
  });
});
