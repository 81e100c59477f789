import { type ItemKey, readEveryItem } from '../store/batch-read.ts';
import type { Db } from '../store/db.ts';
import { keys, tenantKeys, tenantPk } from '../store/keys.ts';
import { personKeys } from '../store/people.ts';
import { LIFECYCLE_INDEX } from '../store/table-definition.ts';
import { webhookKey } from '../store/webhook-subscriptions.ts';
import { stateHash } from './hash-chain.ts';
import type { AuditSubject } from './tenant-audit.ts';

/**
 * THE one home of "an entity's state as its audit chain records it", per kind: applied to a
 * change's `after` when the event's `stateHash` is written, and to the item as stored now when
 * `verify`, the current-state route and the offline verifier hold it against the last event
 * (DESIGN.md §5). Each view keeps only what the entity's OWN chain changes: never a secret or a key
 * hash, never what another chain or an unaudited write owns (a warrant's service and a withdrawal
 * with a hold go on the hold's chain; a key's `lastUsedAt` is advisory; bookings are held by their
 * person-data hash, since hold transitions change their other fields).
 */
const pick = (item: Record<string, unknown>, names: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(names.filter((name) => item[name] !== undefined).map((name) => [name, item[name]]));
const omit = (item: Record<string, unknown>, names: readonly string[]): Record<string, unknown> => {
  const drop = new Set(names);
  return Object.fromEntries(Object.entries(item).filter(([name]) => !drop.has(name)));
};

/** What the table and the entity's module store beside the state itself. */
const STORAGE = ['pk', 'sk', 'entity', 'type'] as const;

const VIEWS = {
  tenant: (item) =>
    omit(item, [...STORAGE, 'gsi2pk', 'gsi2sk', LIFECYCLE_INDEX.partitionKey, LIFECYCLE_INDEX.sortKey]),
  facility: (item) => omit(item, [...STORAGE, 'tenantId']),
  officer: (item) => omit(item, [...STORAGE, 'tenantId']),
  warrant: (item) =>
    omit(item, [...STORAGE, 'tenantId', 'status', 'holdId', 'servedAt', 'withdrawnAt', 'withdrawReason']),
  apikey: (item) =>
    pick(item, [
      'keyId',
      'name',
      'role',
      'scope',
      'officerId',
      'createdAt',
      'createdBy',
      'revokedAt',
      'revokedBy',
    ]),
  webhook: (item) => omit(item, [...STORAGE, 'secret']),
  signin: (item) => omit(item, STORAGE),
} satisfies Record<string, (item: Record<string, unknown>) => Record<string, unknown>>;

export type StateCheckedKind = keyof typeof VIEWS;
/** Entity kinds whose current item `verify` holds against the last event (holds and bookings have their own). */
export const STATE_CHECKED_KINDS = Object.keys(VIEWS) as StateCheckedKind[];
export const isStateChecked = (kind: string): kind is StateCheckedKind => kind in VIEWS;

/** The entity's state as its chain records it; null when it no longer exists (deleted). */
export const auditedState = (
  kind: string,
  state: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null => {
  if (!state) return null;
  return isStateChecked(kind) ? VIEWS[kind](state) : state;
};

/** `stateHash` of an event: over the audited view of the state and the person-data hash it carries. */
export const entityStateHash = (
  kind: string,
  state: Record<string, unknown> | null | undefined,
  personData: string | null,
): string => stateHash({ state: auditedState(kind, state), personData });

/** Where each state-checked kind keeps its item. */
const itemKey = (tenantId: string, { kind, id }: { kind: StateCheckedKind; id: string }) => {
  switch (kind) {
    case 'tenant':
      return keys.tenantProfile(tenantId);
    case 'facility':
      return tenantKeys.facility(tenantId, id);
    case 'officer':
      return tenantKeys.officer(tenantId, id);
    case 'warrant':
      return tenantKeys.warrant(tenantId, id);
    case 'apikey':
      return keys.apiKeyPointer(tenantPk(tenantId), id);
    case 'webhook':
      return webhookKey(tenantId, id);
    case 'signin':
      return personKeys.pointer({ kind: 'tenant', tenantId }, id);
  }
};

const subjectKey = (subject: AuditSubject) => `${subject.kind}#${subject.id}`;

/**
 * The stored items of `subjects` (state-checked kinds only), by `<kind>#<id>`; null when the item
 * is gone. Strongly consistent BatchGets of at most 100 keys.
 */
export async function readEntityItems(
  db: Db,
  tenantId: string,
  subjects: readonly AuditSubject[],
): Promise<Map<string, Record<string, unknown> | null>> {
  const found = new Map<string, Record<string, unknown> | null>();
  const bySk = new Map<string, string>();
  const keyList: ItemKey[] = [];
  for (const subject of subjects) {
    if (!isStateChecked(subject.kind)) continue;
    const key = itemKey(tenantId, { kind: subject.kind, id: subject.id });
    bySk.set(key.sk, subjectKey(subject));
    found.set(subjectKey(subject), null);
    keyList.push(key);
  }
  for (const item of await readEveryItem(db, keyList)) {
    const subject = bySk.get(String(item.sk));
    if (subject) found.set(subject, item);
  }
  return found;
}
