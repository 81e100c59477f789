import { readAuditHeads, TENANT_AUDIT_SK } from '../store/audit-chains.ts';
import type { Db } from '../store/db.ts';
import { SK_PREFIX, tenantPk } from '../store/keys.ts';
import { type Page, queryPage } from '../store/pagination.ts';
import {
  entityStateHash,
  readEntityItems,
  STATE_CHECKED_KINDS,
  type StateCheckedKind,
} from './entity-state.ts';
import { stateHash } from './hash-chain.ts';
import { personDataHash } from './person-data.ts';
import { holdState } from './verify-tenant.ts';

/**
 * Each entity's current state as a hash beside its chain head, for a verifier that trusts nothing
 * but the signing key: it holds these against the last sealed event of each chain. Holds: the
 * hash of the whole hold (`stateHash` of its events); bookings: the person-data hash (never the
 * values), with the booking chain's head; every other chained kind: `entityStateHash` of its
 * audited view (entity-state.ts: never a secret or a key hash), paged over its chain heads.
 */
export const CURRENT_STATE_KINDS = ['hold', 'booking', ...STATE_CHECKED_KINDS] as [
  'hold',
  'booking',
  ...StateCheckedKind[],
];
export type CurrentStateKind = 'hold' | 'booking' | StateCheckedKind;

/** The sort-key prefix a kind's listing pages over (its page token is bound to it). */
export const currentStatePrefix = (kind: CurrentStateKind): string =>
  kind === 'hold'
    ? SK_PREFIX.hold
    : kind === 'booking'
      ? SK_PREFIX.booking
      : `${TENANT_AUDIT_SK.headPrefix}${kind}#`;

export interface CurrentState {
  id: string;
  /** The entity chain's head: the seq and hash of its last event (0 and empty when it has none). */
  seq: number;
  hash: string;
  /** `stateHash` (holds, other kinds) or `personDataHash` (bookings) of the entity as stored now. */
  stateHash: string;
}

export async function currentStates(
  db: Db,
  tenantId: string,
  kind: CurrentStateKind,
  page: { limit: number; startKey?: Record<string, unknown> },
): Promise<Page<CurrentState>> {
  const pk = tenantPk(tenantId);
  const prefix = currentStatePrefix(kind);
  if (kind !== 'hold' && kind !== 'booking') return entityStates(db, tenantId, kind, prefix, page);
  const items = await queryPage(db, { pk, skPrefix: prefix, ...page }, (item) => item);
  const ids = items.items.map((item) => String(item.sk).slice(prefix.length));
  const heads =
    kind === 'booking'
      ? await readAuditHeads(db, tenantId, 'booking', ids)
      : new Map<string, Record<string, unknown>>();
  return {
    ...items,
    items: items.items.map((item, index) => {
      const id = ids[index] ?? '';
      if (kind === 'hold') {
        return {
          id,
          seq: Number(item.eventSeq ?? 0),
          hash: String(item.eventHash ?? ''),
          stateHash: stateHash(holdState(item)),
        };
      }
      const head = heads.get(id);
      return {
        id,
        seq: Number(head?.seq ?? 0),
        hash: String(head?.hash ?? ''),
        stateHash: personDataHash(item as { person: never; charges: never }),
      };
    }),
  };
}

/** A state-checked kind: its chain heads, each with the hash of its item as stored now. */
async function entityStates(
  db: Db,
  tenantId: string,
  kind: StateCheckedKind,
  prefix: string,
  page: { limit: number; startKey?: Record<string, unknown> },
): Promise<Page<CurrentState>> {
  const heads = await queryPage(db, { pk: tenantPk(tenantId), skPrefix: prefix, ...page }, (item) => item);
  const ids = heads.items.map((head) => String(head.sk).slice(prefix.length));
  const items = await readEntityItems(
    db,
    tenantId,
    ids.map((id) => ({ kind, id })),
  );
  return {
    ...heads,
    items: heads.items.map((head, index) => {
      const id = ids[index] ?? '';
      const personData = typeof head.personDataHash === 'string' ? head.personDataHash : null;
      return {
        id,
        seq: Number(head.seq),
        hash: String(head.hash),
        stateHash: entityStateHash(kind, items.get(`${kind}#${id}`) ?? null, personData),
      };
    }),
  };
}
