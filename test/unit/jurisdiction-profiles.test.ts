import { describe, expect, it } from 'vitest';
import { CURRENT_RULE, computeDeadlines } from '../../shared/domain/deadline-policy.ts';
import { advance, HOLD_STEPS, type ServeFacts, serve } from '../../shared/domain/hold.ts';
import {
  effectiveNoticeLead,
  jurisdictionSummary,
  noticeLeadBreach,
} from '../../shared/jurisdictions/notice-lead.ts';
import { loadProfile } from '../../shared/jurisdictions/profile-schema.ts';
import { DEFAULT_PROFILE } from '../../shared/jurisdictions/profiles/default.ts';
import { NC_PROFILE } from '../../shared/jurisdictions/profiles/nc.ts';
import { buildRegistry, PROFILE_FILES, profileFor } from '../../shared/jurisdictions/registry.ts';
import { REPORT_FIELDS } from '../../shared/reports/report-fields.ts';
import { buildStateReport } from '../../shared/reports/state-report.ts';
import { scheduleName } from '../../shared/timers/eventbridge-hold-timers.ts';
import { WEBHOOK_EVENT_TYPES } from '../../shared/webhooks/event-types.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const T0 = Date.parse('2026-11-24T03:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('state profiles', () => {
  it('load and validate at module init: a default, Florida, Texas and North Carolina, each with its source', () => {
    const registry = buildRegistry(PROFILE_FILES);
    expect([...registry.keys()].sort()).toEqual(['DEFAULT', 'FL', 'NC', 'TX']);
    for (const profile of registry.values()) {
      expect(profile.sources.length, profile.jurisdiction).toBeGreaterThan(0);
      expect(profile.reportFields.length, profile.jurisdiction).toBeGreaterThan(0);
    }
    expect(profileFor('NC').preReleaseNoticeLeadMinutes).toBe(NC_PROFILE.preReleaseNoticeLeadMinutes);
    expect(profileFor('NC').preReleaseNoticeLeadMinutes).toBeGreaterThan(0);
    expect(profileFor('FL').preReleaseNoticeLeadMinutes).toBe(0);
    // A state without a file takes the default.
    expect(profileFor('WY').jurisdiction).toBe('DEFAULT');
  });

  it('mark what could not be verified instead of stating it as law', () => {
    const nc = profileFor('NC');
    expect(nc.sources.some((source) => source.uncertain?.includes('not verified'))).toBe(true);
  });

  it('ask only for figures the oversight report produces, each in a county-month and the totals', () => {
    const report = buildStateReport({
      state: 'NC',
      from: '2026-03',
      to: '2026-03',
      now: new Date('2026-04-01T00:00:00Z'),
      counties: [{ tenantId: 'x-nc', countyFips: '37001', name: 'X', timeZone: 'UTC' }],
      counterItems: [],
    });
    const [county] = report.counties;
    for (const profile of buildRegistry(PROFILE_FILES).values()) {
      for (const field of profile.reportFields) {
        expect(county?.months[0], `${profile.jurisdiction}: ${field}`).toHaveProperty(field);
        expect(report.totals, `${profile.jurisdiction}: ${field}`).toHaveProperty(field);
      }
    }
    expect(Object.keys(county?.totals ?? {})).toEqual([...REPORT_FIELDS]);
  });

  it('fail fast with the file and the field when a profile is bad', () => {
    expect(() => loadProfile({ ...NC_PROFILE, preReleaseNoticeLeadMinutes: -5 }, 'nc.ts')).toThrow(
      /^Jurisdiction profile nc\.ts is invalid: preReleaseNoticeLeadMinutes: /,
    );
    expect(() => loadProfile({ ...NC_PROFILE, jurisdiction: 'XX' }, 'xx.ts')).toThrow(
      /Jurisdiction profile xx\.ts is invalid: jurisdiction/,
    );
    expect(() =>
      loadProfile({ ...NC_PROFILE, reportFields: ['holdsOpened', 'holdsOpened'] }, 'nc.ts'),
    ).toThrow(/reportFields: must not repeat a figure/);
    expect(() => loadProfile({ ...NC_PROFILE, sources: [] }, 'nc.ts')).toThrow(/sources/);
    expect(() => loadProfile({ ...NC_PROFILE, surprise: true }, 'nc.ts')).toThrow(/surprise|Unrecognized/);
    expect(() => buildRegistry({ 'a.ts': NC_PROFILE, 'b.ts': NC_PROFILE, 'd.ts': DEFAULT_PROFILE })).toThrow(
      'Jurisdiction profile b.ts repeats jurisdiction NC',
    );
    expect(() => buildRegistry({ 'nc.ts': NC_PROFILE })).toThrow('No DEFAULT jurisdiction profile');
  });
});

describe('the notice lead of a county', () => {
  const stateLead = NC_PROFILE.preReleaseNoticeLeadMinutes;

  it('may be earlier than the state\u2019s, never later', () => {
    expect(noticeLeadBreach('NC', stateLead - 1)).toMatchObject({ slug: 'release-notice-later-than-state' });
    expect(noticeLeadBreach('NC', 0)).toBeDefined();
    expect(noticeLeadBreach('NC', stateLead)).toBeUndefined();
    expect(noticeLeadBreach('NC', stateLead + 60)).toBeUndefined();
    // No state duty: a county may still ask for notice of its own.
    expect(noticeLeadBreach('FL', 30)).toBeUndefined();
  });

  it('is the larger of the state\u2019s and the county\u2019s, so a raised state lead wins over an old setting', () => {
    expect(effectiveNoticeLead({ state: 'NC' })).toBe(stateLead);
    expect(effectiveNoticeLead({ state: 'NC', releaseNoticeLeadMinutes: stateLead + 60 })).toBe(
      stateLead + 60,
    );
    expect(effectiveNoticeLead({ state: 'NC', releaseNoticeLeadMinutes: 1 })).toBe(stateLead);
    expect(effectiveNoticeLead({ state: 'FL' })).toBe(0);
    expect(jurisdictionSummary({ state: 'FL', releaseNoticeLeadMinutes: 45 })).toMatchObject({
      profile: 'FL',
      statePreReleaseNoticeLeadMinutes: 0,
      effectiveReleaseNoticeLeadMinutes: 45,
    });
  });
});

describe('the RELEASE_NOTICE step', () => {
  const facts = (overrides: Partial<ServeFacts> = {}): ServeFacts => ({
    holdId: '01JDQZ8Y6S1V9X0K3M4N5P6Q7R',
    tenantId: 't',
    bookingNumber: 'B1',
    warrantId: 'W1',
    officerId: 'O1',
    facilityId: 'F1',
    basis: 'WSO',
    servedAt: new Date(T0),
    releaseLeadMinutes: 60,
    releaseNoticeLeadMinutes: 120,
    rule: CURRENT_RULE,
    ...overrides,
  });
  const releaseDueAt = T0 + 48 * HOUR - 60 * MINUTE;
  const noticeAt = releaseDueAt - 120 * MINUTE;

  it('comes first, at releaseDueAt − lead, keeps the hold ACTIVE and arms RELEASE_DUE', () => {
    const { hold } = serve(facts(), new Date(T0));
    expect(hold).toMatchObject({ status: 'ACTIVE', nextStep: 'RELEASE_NOTICE', nextActionAt: iso(noticeAt) });
    expect(hold.rule.inputs).toEqual({
      servedAt: iso(T0),
      releaseLeadMinutes: 60,
      releaseNoticeLeadMinutes: 120,
    });
    expect(advance(hold, new Date(noticeAt - 1)).changes).toEqual([]);
    const noticed = advance(hold, new Date(noticeAt));
    expect(noticed.changes).toEqual([{ type: 'hold.release_notice', occurredAt: iso(noticeAt) }]);
    expect(noticed.hold).toMatchObject({
      status: 'ACTIVE',
      releaseNoticeAt: iso(noticeAt),
      nextStep: 'RELEASE_DUE',
      nextActionAt: iso(releaseDueAt),
      version: 2,
    });
    const due = advance(noticed.hold, new Date(releaseDueAt));
    expect(due.hold).toMatchObject({ status: 'RELEASE_DUE', nextStep: 'OVERDUE' });
  });

  it('is recomputable from the rule and the stored inputs', () => {
    const { hold } = serve(facts(), new Date(T0));
    const recomputed = computeDeadlines(hold.rule, hold.rule.inputs);
    expect(iso(recomputed.releaseNoticeAt?.getTime() ?? 0)).toBe(hold.nextActionAt);
    expect(iso(recomputed.deadline.getTime())).toBe(hold.deadline);
  });

  it('does not exist without a lead, and a service reported late performs it with the others, in order', () => {
    expect(serve(facts({ releaseNoticeLeadMinutes: 0 }), new Date(T0)).hold.nextStep).toBe('RELEASE_DUE');
    const late = serve(facts(), new Date(T0 + 49 * HOUR));
    expect(late.changes.map((change) => change.type)).toEqual([
      'hold.created',
      'hold.release_notice',
      'hold.release_due',
      'hold.overdue',
    ]);
    expect(late.hold).toMatchObject({ status: 'OVERDUE', needsReview: true, version: 1 });
  });

  it('has a schedule name within Scheduler\u2019s 64 characters, and is offered to webhooks', () => {
    for (const step of HOLD_STEPS) {
      const name = scheduleName('01JDQZ8Y6S1V9X0K3M4N5P6Q7R', step);
      expect(name.length, name).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[0-9a-zA-Z\-_.]+$/);
    }
    expect(scheduleName('01JDQZ8Y6S1V9X0K3M4N5P6Q7R', 'RELEASE_NOTICE')).toBe(
      '01JDQZ8Y6S1V9X0K3M4N5P6Q7R-release-notice',
    );
    expect(WEBHOOK_EVENT_TYPES).toContain('hold.release_notice');
    expect(WEBHOOK_EVENT_TYPES).not.toContain('hold.reviewed');
  });
});
