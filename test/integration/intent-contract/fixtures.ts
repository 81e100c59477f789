import { chainHash, GENESIS_HASH, stateHash } from '../../../shared/audit/hash-chain.ts';
import { CURRENT_RULE } from '../../../shared/domain/deadline-policy.ts';
import { type Hold, serve } from '../../../shared/domain/hold.ts';
import type { CredentialNotice } from '../../../shared/store/credential-notices.ts';
import type { HoldEvent, StoredHold } from '../../../shared/store/holds.ts';
import type { Intent, StoredItem } from '../../../shared/store/unit-of-work.ts';

/**
 * What the intent-contract cases are made of (see intent-contract.test.ts for the pattern): the case
 * shape, the seed items every case starts from, and realistic arguments for the intent factories.
 */

export const TABLE = 'intent-contract';

/** Ids of the seed entities (the same in every case tenant). */
export const FACILITY = 'main-jail';
export const BOOKING = 'B-1';
export const WARRANT = 'W-1';
export const OFFICER = 'o-1';
export const NOW = new Date('2026-11-24T03:00:00Z');
export const SERVED_AT = new Date('2026-11-24T02:00:00Z');
/** SERVED_AT's UTC date: what the officer check compares `credentialExpiresOn` with. */
export const SERVICE_DATE = '2026-11-24';
export const actor = { kind: 'credential', keyId: 'key-1', role: 'county-admin' } as const;

/** Items as the store wrote them (beforeAll of the test), without pk/sk: the cases' starting points. */
export interface Seeds {
  booking: StoredItem;
  warrant: StoredItem;
  officer: StoredItem;
}

/** The item before the commit, without its key (undefined: no item); `t` is the case's tenant. */
export type State = (seeds: Seeds, t: string) => StoredItem | undefined;
export type Expect = 'accepted' | 'refused';

export interface Case {
  name: string;
  state: State;
  intent: (t: string) => Intent;
  expect: Expect;
}

export const absent: State = () => undefined;

/** Cases that commit the same intent on different item states: `[name, state, expected outcome]`. */
export const on = (intent: (t: string) => Intent, rows: readonly [string, State, Expect][]): Case[] =>
  rows.map(([name, state, expect]) => ({ name, state, intent, expect }));

export const without = (item: StoredItem, name: string): StoredItem => {
  const { [name]: _removed, ...rest } = item;
  return rest;
};

/** The item an intent's action names (its Key, or its Put item's keys) and whether it is conditional. */
export interface Action {
  kind: string;
  key: { pk: string; sk: string };
  conditional: boolean;
  put?: StoredItem;
}

export function actionOf(intent: Intent): Action {
  const [kind, body] = Object.entries(intent.item).find(([, value]) => value !== undefined) ?? [];
  const action = body as { Key?: StoredItem; Item?: StoredItem; ConditionExpression?: string } | undefined;
  const source = action?.Key ?? action?.Item;
  if (!kind || !source) throw new Error(`${intent.module}: ${intent.rule} names no item`);
  return {
    kind,
    key: { pk: String(source.pk), sk: String(source.sk) },
    conditional: kind === 'ConditionCheck' || action?.ConditionExpression !== undefined,
    ...(action?.Item ? { put: action.Item } : {}),
  };
}

/** The item a Put intent writes, without its key: "the item as the store writes it". */
export function putItemOf(intent: Intent): StoredItem {
  const put = actionOf(intent).put;
  if (!put) throw new Error(`${intent.module}: ${intent.rule} is not a Put`);
  const { pk: _pk, sk: _sk, ...rest } = put;
  return rest;
}

const idPart = (t: string) => t.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** A WSO hold served on the seed booking, warrant, officer and facility, as the domain builds it. */
export function holdFor(t: string, version = 1): Hold {
  const { hold } = serve(
    {
      holdId: `01HOLD${idPart(t)}`,
      tenantId: t,
      bookingNumber: BOOKING,
      warrantId: WARRANT,
      officerId: OFFICER,
      facilityId: FACILITY,
      basis: 'WSO',
      servedAt: SERVED_AT,
      releaseLeadMinutes: 60,
      rule: CURRENT_RULE,
    },
    NOW,
  );
  return { ...hold, version };
}

/** A hold's audit-chain position after `seq` events. */
export const chainOf = (seq: number) => ({
  eventSeq: seq,
  eventHash: seq === 0 ? GENESIS_HASH : 'a'.repeat(64),
});

/** The hold at `version` as a use case read it back. */
export const storedHold = (t: string, version: number): StoredHold => ({
  hold: holdFor(t, version),
  chain: chainOf(version),
  armPending: false,
});

/** The first link of the hold's audit chain, hashed as commitHoldChange hashes it. */
export function holdEvent(t: string): HoldEvent {
  const hold = holdFor(t);
  const content = {
    eventId: `01EVENT${idPart(t)}`,
    tenantId: t,
    holdId: hold.holdId,
    seq: 1,
    type: 'hold.created' as const,
    occurredAt: hold.createdAt,
    actor,
    before: null,
    after: hold,
    stateHash: stateHash(hold),
    prevHash: GENESIS_HASH,
  };
  return { ...content, hash: chainHash(GENESIS_HASH, content) };
}

/** The 30-day notice of the seed officer's credential expiring on 2026-12-24. */
export const notice = (t: string): CredentialNotice => ({
  tenantId: t,
  officerId: OFFICER,
  credentialNumber: 'WSO-0001',
  expiresOn: '2026-12-24',
  daysBefore: 30,
  daysLeft: 30,
  eventId: `01NOTICE${idPart(t)}`,
  occurredAt: '2026-11-24T06:00:00Z',
});
