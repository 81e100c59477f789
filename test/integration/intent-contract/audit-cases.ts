import { auditIntents } from '../../../shared/store/audit-chains.ts';
import { absent, actor, type Case, nth, OFFICER, on, putItemOf, TABLE } from './fixtures.ts';

const subject = { kind: 'officer', id: OFFICER };
/** An entity chain's head after `seq` events, and the event that moves it to `seq + 1`. */
const append = (t: string, previousSeq: number) => {
  const event = {
    eventId: `01EVENT${t}-${previousSeq + 1}`,
    tenantId: t,
    seq: previousSeq + 1,
    type: 'officer.suspended',
    subject,
    occurredAt: '2026-11-24T05:00:00Z',
    actor,
    before: null,
    after: { officerId: OFFICER, status: 'SUSPENDED' },
    stateHash: 'c'.repeat(64),
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
  };
  const head = { subject, seq: previousSeq + 1, hash: 'b'.repeat(64), eventId: event.eventId };
  return auditIntents.append(TABLE, t, subject, previousSeq, head, event);
};
/** The head as the append before wrote it (after `seq` events). */
const headAt = (t: string, seq: number) => putItemOf(nth(append(t, seq - 1), 0));

/** auditIntents (shared/store/audit-chains.ts): one entry per factory; append returns [head, event]. */
export const auditCases = {
  append: [
    // head, the entity's first event: 'attribute_not_exists(pk)'
    ...on(
      (t) => nth(append(t, 0), 0),
      [
        ['first event, no head yet', absent, 'accepted'],
        ['first event, a head appeared meanwhile', (_s, t) => headAt(t, 1), 'refused'],
      ],
    ),
    // head after two events: 'seq = :prev'
    ...on(
      (t) => nth(append(`${t}-next`, 2), 0),
      [
        ['head as read', (_s, t) => headAt(`${t}-next`, 2), 'accepted'],
        ['head moved meanwhile', (_s, t) => headAt(`${t}-next`, 3), 'refused'],
        ['no head (read one that is gone)', absent, 'refused'],
      ],
    ),
    // the event: 'attribute_not_exists(pk)'
    ...on(
      (t) => nth(append(t, 0), 1),
      [
        ['new event', absent, 'accepted'],
        ['event id taken', (_s, t) => putItemOf(nth(append(t, 0), 1)), 'refused'],
      ],
    ),
  ],
} satisfies Record<keyof typeof auditIntents, Case[]>;
