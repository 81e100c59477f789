import { warrantIntents } from '../../../shared/store/warrant-intents.ts';
import { absent, type Case, holdFor, on, TABLE, WARRANT, without } from './fixtures.ts';

const withdrawAt = '2026-11-24T04:00:00Z';
const served = { status: 'SERVED', holdId: '01OTHERHOLD' };

/** warrantIntents (shared/store/warrant-intents.ts): one entry per factory. */
export const warrantCases = {
  // '#status = :received AND bookingNumber = :bookingNumber'
  markServed: on(
    (t) => warrantIntents.markServed(TABLE, holdFor(t)),
    [
      ['absent warrant', absent, 'refused'],
      ['received, names the booking', (s) => s.warrant, 'accepted'],
      ['already served', (s) => ({ ...s.warrant, ...served }), 'refused'],
      ['withdrawn', (s) => ({ ...s.warrant, status: 'WITHDRAWN' }), 'refused'],
      ['without status', (s) => without(s.warrant, 'status'), 'refused'],
      ['names another booking', (s) => ({ ...s.warrant, bookingNumber: 'B-2' }), 'refused'],
      ['without bookingNumber', (s) => without(s.warrant, 'bookingNumber'), 'refused'],
    ],
  ),
  // '#status = :current' (the status the use case read)
  withdraw: [
    ...on(
      (t) => warrantIntents.withdraw(TABLE, t, WARRANT, 'RECEIVED', withdrawAt, 'rescinded'),
      [
        ['absent warrant', absent, 'refused'],
        ['still RECEIVED as read', (s) => s.warrant, 'accepted'],
        ['served since the read', (s) => ({ ...s.warrant, ...served }), 'refused'],
        ['without status', (s) => without(s.warrant, 'status'), 'refused'],
      ],
    ),
    ...on(
      (t) => warrantIntents.withdraw(TABLE, t, WARRANT, 'SERVED', withdrawAt, 'rescinded'),
      [['still SERVED as read', (s) => ({ ...s.warrant, ...served }), 'accepted']],
    ),
  ],
} satisfies Record<keyof typeof warrantIntents, Case[]>;
