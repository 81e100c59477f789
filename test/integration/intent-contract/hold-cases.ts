import { holdIntents, outboxIntents } from '../../../shared/store/holds.ts';
import {
  absent,
  type Case,
  chainOf,
  holdEvent,
  holdFor,
  on,
  putItemOf,
  storedHold,
  TABLE,
  without,
} from './fixtures.ts';

/** The hold item as the store keeps it (holdIntents.put's own item), at `version`. */
const holdItem = (t: string, version: number) =>
  putItemOf(holdIntents.put(TABLE, undefined, holdFor(t, version), chainOf(version)));

/** holdIntents and outboxIntents (shared/store/holds.ts): one entry per factory. */
export const holdCases = {
  put: [
    // 'attribute_not_exists(pk)'
    ...on(
      (t) => holdIntents.put(TABLE, undefined, holdFor(t), chainOf(1)),
      [
        ['new hold, absent', absent, 'accepted'],
        ['new hold, already there', (_s, t) => holdItem(t, 1), 'refused'],
      ],
    ),
    // 'version = :expected'
    ...on(
      (t) => holdIntents.put(TABLE, storedHold(t, 1), holdFor(t, 2), chainOf(2)),
      [
        ['change, hold absent', absent, 'refused'],
        ['change, version as read', (_s, t) => holdItem(t, 1), 'accepted'],
        ['change, version moved', (_s, t) => holdItem(t, 2), 'refused'],
        ['change, stored without version', (_s, t) => without(holdItem(t, 1), 'version'), 'refused'],
      ],
    ),
  ],
  // 'attribute_not_exists(pk)'
  appendEvent: on(
    (t) => holdIntents.appendEvent(TABLE, holdEvent(t)),
    [
      ['absent', absent, 'accepted'],
      ['already written', (_s, t) => putItemOf(holdIntents.appendEvent(TABLE, holdEvent(t))), 'refused'],
    ],
  ),
} satisfies Record<keyof typeof holdIntents, Case[]>;

export const outboxCases = {
  // unconditional Put
  emit: on(
    (t) => outboxIntents.emit(TABLE, holdEvent(t), holdFor(t)),
    [
      ['absent', absent, 'accepted'],
      [
        'written before',
        (_s, t) => putItemOf(outboxIntents.emit(TABLE, holdEvent(t), holdFor(t))),
        'accepted',
      ],
    ],
  ),
} satisfies Record<keyof typeof outboxIntents, Case[]>;
