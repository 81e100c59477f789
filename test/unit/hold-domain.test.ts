import { describe, expect, it } from 'vitest';
import { CURRENT_RULE, computeDeadlines } from '../../shared/domain/deadline-policy.ts';
import {
  advance,
  cancel,
  type Hold,
  isRefusal,
  release,
  type ServeFacts,
  serve,
  transfer,
} from '../../shared/domain/hold.ts';
import { checkServiceRules } from '../../shared/domain/service-rules.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-24T03:00:00Z');
const at = (hours: number) => new Date(T0 + hours * HOUR);

const facts = (overrides: Partial<ServeFacts> = {}): ServeFacts => ({
  holdId: '01JDQZ8Y6S1V9X0K3M4N5P6Q7R',
  tenantId: 't',
  bookingNumber: 'B1',
  warrantId: 'W1',
  officerId: 'O1',
  facilityId: 'F1',
  basis: 'WSO',
  servedAt: at(0),
  releaseLeadMinutes: 60,
  rule: CURRENT_RULE,
  ...overrides,
});

const served = (): Hold => serve(facts(), at(0)).hold;

describe('WSO-48H v1', () => {
  it('is 48 continuous hours from service, weekends included', () => {
    // Friday 17:00 UTC → Sunday 17:00 UTC.
    const { deadline, releaseDueAt } = computeDeadlines(CURRENT_RULE, {
      servedAt: '2026-11-27T17:00:00Z',
      releaseLeadMinutes: 90,
    });
    expect(deadline.toISOString()).toBe('2026-11-29T17:00:00.000Z');
    expect(releaseDueAt.toISOString()).toBe('2026-11-29T15:30:00.000Z');
  });

  it('refuses a rule it does not know rather than guess', () => {
    expect(() =>
      computeDeadlines(
        { id: 'WSO-48H', version: 99 },
        { servedAt: '2026-01-01T00:00:00Z', releaseLeadMinutes: 0 },
      ),
    ).toThrow(/unknown deadline rule/);
  });

  it('stores what it needs to recompute the deadline', () => {
    const hold = served();
    const recomputed = computeDeadlines(hold.rule, hold.rule.inputs);
    expect(recomputed.deadline.toISOString().replace('.000Z', 'Z')).toBe(hold.deadline);
  });
});

describe('the hold state machine', () => {
  it('serves ACTIVE with the release step pending', () => {
    const { hold, changes } = serve(facts(), at(0));
    expect(hold).toMatchObject({
      status: 'ACTIVE',
      nextStep: 'RELEASE_DUE',
      nextActionAt: '2026-11-26T02:00:00Z',
      version: 1,
    });
    expect(changes.map((change) => change.type)).toEqual(['hold.created']);
  });

  it('advances exactly at each step and never before', () => {
    const hold = served();
    expect(advance(hold, new Date(T0 + 47 * HOUR - 1)).changes).toEqual([]);
    const due = advance(hold, at(47));
    expect(due.hold).toMatchObject({ status: 'RELEASE_DUE', nextStep: 'OVERDUE', version: 2 });
    expect(advance(due.hold, new Date(T0 + 48 * HOUR - 1)).changes).toEqual([]);
    const overdue = advance(due.hold, at(48));
    expect(overdue.hold).toMatchObject({ status: 'OVERDUE', needsReview: true, version: 3 });
    expect(overdue.hold.nextStep).toBeUndefined();
    expect(advance(overdue.hold, at(100)).changes).toEqual([]);
  });

  it('performs every missed step at once when a timer is very late', () => {
    const { hold, changes } = advance(served(), at(50));
    expect(hold.status).toBe('OVERDUE');
    expect(changes.map((change) => change.type)).toEqual(['hold.release_due', 'hold.overdue']);
    expect(hold.version).toBe(2);
  });

  it('records a transfer after the deadline as late, never refuses it', () => {
    const overdue = advance(served(), at(49)).hold;
    const result = transfer(overdue, at(49), 'ERO', at(49));
    if (isRefusal(result)) throw new Error('refused');
    expect(result.hold).toMatchObject({ status: 'TRANSFERRED', late: true, needsReview: true });
  });

  it('an in-time fact entered after the hold went OVERDUE is not late, but needs review', () => {
    const overdue = advance(served(), at(49)).hold;
    const result = release(overdue, at(47.5), at(49));
    if (isRefusal(result)) throw new Error('refused');
    expect(result.hold).toMatchObject({ status: 'RELEASED', late: false, needsReview: true });
  });

  it('refuses transitions out of a terminal state and cancels only before OVERDUE', () => {
    const transferred = transfer(served(), at(1), 'ERO', at(1));
    if (isRefusal(transferred)) throw new Error('refused');
    expect(release(transferred.hold, at(2), at(2))).toEqual({
      refused: 'not-allowed',
      status: 'TRANSFERRED',
    });
    expect(cancel(advance(served(), at(49)).hold, 'x', at(49))).toEqual({
      refused: 'not-allowed',
      status: 'OVERDUE',
    });
    const cancelled = cancel(served(), 'withdrawn', at(2));
    expect(isRefusal(cancelled) ? undefined : cancelled.hold.status).toBe('CANCELLED');
  });

  it('a service reported 49 hours late starts OVERDUE', () => {
    const { hold, changes } = serve(facts({ servedAt: at(-49) }), at(0));
    expect(hold).toMatchObject({ status: 'OVERDUE', version: 1, needsReview: true });
    expect(changes.map((change) => change.type)).toEqual([
      'hold.created',
      'hold.release_due',
      'hold.overdue',
    ]);
  });

  it('an IGSA hold has no deadline and never advances', () => {
    const { hold } = serve(facts({ basis: 'IGSA' }), at(0));
    expect(hold.deadline).toBeUndefined();
    expect(advance(hold, at(500)).changes).toEqual([]);
  });
});

describe('service rules', () => {
  const good = {
    tenant: { igsa: false },
    booking: { status: 'IN_CUSTODY', facilityId: 'F1', bookedAt: '2026-11-24T00:00:00Z' },
    officer: { status: 'CREDENTIALED', facilityIds: ['F1'], credentialExpiresOn: '2027-01-01' },
    warrant: { status: 'RECEIVED', bookingNumber: 'B1' },
  };
  const request = { bookingNumber: 'B1', servedAt: at(0), basis: 'WSO' as const };
  const slug = (overrides: object, req = request) =>
    checkServiceRules({ ...good, ...overrides }, req, at(0))?.slug;

  it('passes a valid service and names each broken rule', () => {
    expect(slug({})).toBeUndefined();
    expect(slug({}, { ...request, servedAt: new Date(T0 + 3 * 60_000) })).toBe('served-in-future');
    expect(slug({}, { ...request, servedAt: new Date(T0 + 60_000) })).toBeUndefined();
    expect(slug({ officer: { ...good.officer, credentialExpiresOn: '2026-11-23' } })).toBe(
      'officer-credential-expired',
    );
    expect(slug({ officer: { ...good.officer, facilityIds: ['F2'] } })).toBe(
      'officer-not-assigned-to-facility',
    );
    expect(slug({ warrant: { status: 'RECEIVED', bookingNumber: 'B2' } })).toBe(
      'warrant-for-another-booking',
    );
    expect(slug({ booking: { ...good.booking, openHoldId: 'H' } })).toBe('open-hold-exists');
    expect(slug({ booking: { ...good.booking, status: 'RELEASED' } })).toBe('booking-released');
  });
});
