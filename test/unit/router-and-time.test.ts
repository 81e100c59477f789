import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../shared/clock.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { Router } from '../../shared/http/router.ts';
import { stableStringify } from '../../shared/util/stable-json.ts';
import { parseIsoDuration, toIsoSeconds } from '../../shared/util/time.ts';

const route = (method: 'GET' | 'POST', path: string) =>
  defineRoute({
    operationId: `${method} ${path}`,
    method,
    path,
    summary: '',
    tag: 't',
    access: 'public',
    responses: {},
    handle: async () => ({ status: 200 }),
  });

describe('Router', () => {
  const router = new Router([
    route('GET', '/v1/tenants/{tenantId}'),
    route('POST', '/v1/tenants/{tenantId}/holds/{holdId}/transfer'),
    route('POST', '/v1/tenants/{tenantId}/bookings:niem'),
  ]);

  it('matches templates and percent-decodes parameters', () => {
    const match = router.match('POST', '/v1/tenants/a-b/holds/H%201/transfer');
    expect(match).toMatchObject({ kind: 'match', params: { tenantId: 'a-b', holdId: 'H 1' } });
    expect(router.match('GET', '/v1/tenants/x/')).toMatchObject({ kind: 'match', params: { tenantId: 'x' } });
    expect(router.match('POST', '/v1/tenants/x/bookings:niem')).toMatchObject({ kind: 'match' });
  });

  it('tells a wrong method (405) from an unknown path (404)', () => {
    expect(router.match('DELETE', '/v1/tenants/x')).toEqual({ kind: 'method-not-allowed', allowed: ['GET'] });
    expect(router.match('GET', '/v1/tenants/x/y')).toEqual({ kind: 'not-found' });
    expect(router.match('GET', '/v1/tenants/%E0%A4%A')).toEqual({ kind: 'not-found' });
  });

  it('refuses a table with the same route twice', () => {
    expect(() => new Router([route('GET', '/a'), route('GET', '/a')])).toThrow(/duplicate route GET \/a/);
  });
});

describe('time helpers', () => {
  it('parses the day-time ISO 8601 durations', () => {
    expect(parseIsoDuration('PT48H')).toBe(48 * 3_600_000);
    expect(parseIsoDuration('P1DT2H30M')).toBe(26.5 * 3_600_000);
    expect(parseIsoDuration('PT0.5S')).toBe(500);
    for (const bad of ['P', 'PT', '48H', 'P1Y', '-PT1H', 'PT1H2'])
      expect(parseIsoDuration(bad)).toBeUndefined();
  });

  it('writes instants as the contract does: UTC, seconds, Z', () => {
    expect(toIsoSeconds(new Date('2026-11-24T03:00:00.789Z'))).toBe('2026-11-24T03:00:00Z');
  });

  it('a frozen virtual clock moves only when told, and never backwards by advance', () => {
    const clock = new VirtualClock({ start: new Date('2026-01-01T00:00:00Z') });
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
    clock.advance(48 * 3_600_000);
    expect(clock.now().toISOString()).toBe('2026-01-03T00:00:00.000Z');
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('a ticking virtual clock follows real time from where it was set', () => {
    const clock = new VirtualClock({ start: new Date('2030-01-01T00:00:00Z'), ticking: true });
    const drift = clock.now().getTime() - Date.parse('2030-01-01T00:00:00Z');
    expect(drift).toBeGreaterThanOrEqual(0);
    expect(drift).toBeLessThan(1000);
  });

  it('stable JSON ignores key order', () => {
    expect(stableStringify({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(
      stableStringify({ a: [{ c: 2, d: 1 }], b: 1 }),
    );
    expect(stableStringify({ a: 1 })).not.toBe(stableStringify({ a: 2 }));
  });
});
