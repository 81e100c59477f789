import { readAuditHead, TENANT_AUDIT_SK } from '../store/audit-chains.ts';
import { readItem } from '../store/batch-read.ts';
import { CHECKPOINT_SK } from '../store/checkpoints.ts';
import type { Db } from '../store/db.ts';
import { SK_PREFIX, tenantKeys, tenantPk } from '../store/keys.ts';
import { prefixQuery, queryAll } from '../store/pagination.ts';
import { type Break, type BrokenReason, checkHead, checkLink, startCursor } from './chain-check.ts';
import { archivedCheckpointSchema, type CheckpointProblem, checkCheckpointChain } from './checkpoint.ts';
import { entityStateHash, isStateChecked, readEntityItems } from './entity-state.ts';
import { stateHash } from './hash-chain.ts';
import { personDataHash } from './person-data.ts';
import type { AuditPorts } from './ports.ts';
import { archivedCheckpoints } from './sealer.ts';

/**
 * `GET .../audit/verify` (DESIGN.md §5). Three layers, each naming what is broken:
 * 1. every chain (each hold's, each other entity's) link by link, and its head;
 * 2. each entity's current state against its last event (a hold's whole state; a booking's person
 *    data, as a hash; every other kind's audited view, entity-state.ts);
 * 3. everything against the signed, archived checkpoints: their signatures and chain, and every
 *    event they sealed still stored with the hash they sealed. This is what catches an insider who
 *    rewrites the table consistently, or restores it from an older backup.
 * Reads are single-partition Queries (no Scan); heads are read before events, so changes landing
 * mid-verification are not mistaken for tampering.
 */
export const VERIFY_REASONS = [
  'hash-mismatch',
  'prev-hash-mismatch',
  'missing-seq',
  'head-mismatch',
  'state-mismatch',
  'sealed-event-missing',
  'sealed-event-changed',
  'checkpoint-copy-mismatch',
  'checkpoint-schema',
  'checkpoint-tenant',
  'checkpoint-seq',
  'checkpoint-chain',
  'checkpoint-unknown-key',
  'checkpoint-signature',
  'checkpoint-root',
  'checkpoint-count',
] as const satisfies readonly (BrokenReason | CheckpointProblem | string)[];
export type VerifyReason = (typeof VERIFY_REASONS)[number];

export interface BrokenLink {
  chain: 'hold' | 'entity' | 'checkpoint';
  holdId?: string;
  entity?: { kind: string; id: string };
  /** The event's seq in its chain, or the checkpoint's seq. */
  seq: number;
  eventId?: string;
  /** The event's storage reference (sort key), for sealed events. */
  ref?: string;
  reason: VerifyReason;
  detail: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Events verified (hold events and entity events). */
  checked: number;
  /** Hold chains verified. */
  holds: number;
  /** Other entity chains verified. */
  entities: number;
  /** Archived checkpoints verified. */
  checkpoints: number;
  /** Events not yet in a checkpoint (sealed within a minute of being written). */
  unsealed: number;
  firstBroken?: BrokenLink;
  /** Everything found broken, at most `MAX_REPORTED`. */
  broken?: BrokenLink[];
}

export const MAX_REPORTED = 50;

/** Every item of one kind in the tenant's partition, strongly consistent, all pages. */
const readAll = (db: Db, pk: string, prefix: string) =>
  queryAll(db, prefixQuery(pk, prefix, { ConsistentRead: true }));

/** The hold as its events keep it: the stored item without the table's and the engine's own attributes. */
const HOLD_ITEM_ONLY = new Set([
  'pk',
  'sk',
  'entity',
  'gsi1pk',
  'gsi1sk',
  'eventSeq',
  'eventHash',
  'armPending',
]);
export const holdState = (item: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !HOLD_ITEM_ONLY.has(name)));

interface Chain {
  head: { seq: number; hash: string } | undefined;
  events: { seq: number; item: Record<string, unknown> }[];
}

const chainOf = (chains: Map<string, Chain>, key: string): Chain => {
  let chain = chains.get(key);
  if (!chain) {
    chain = { head: undefined, events: [] };
    chains.set(key, chain);
  }
  return chain;
};

export async function verifyTenantAudit(
  db: Db,
  tenantId: string,
  audit: AuditPorts | undefined,
): Promise<VerifyResult> {
  const pk = tenantPk(tenantId);
  const broken: BrokenLink[] = [];
  const report = (link: BrokenLink) => {
    if (broken.length < MAX_REPORTED) broken.push(link);
  };

  // Heads and current state first, then events.
  const holdItems = new Map<string, Record<string, unknown>>();
  const holds = new Map<string, Chain>();
  for (const item of await readAll(db, pk, SK_PREFIX.hold)) {
    const holdId = String(item.sk).slice(SK_PREFIX.hold.length);
    holdItems.set(holdId, item);
    chainOf(holds, holdId).head = { seq: Number(item.eventSeq ?? 0), hash: String(item.eventHash ?? '') };
  }
  const entities = new Map<string, Chain>();
  for (const item of await readAll(db, pk, TENANT_AUDIT_SK.headPrefix)) {
    const chain = chainOf(entities, String(item.sk).slice(TENANT_AUDIT_SK.headPrefix.length));
    chain.head = { seq: Number(item.seq), hash: String(item.hash) };
  }
  const entityItems = await readEntityItems(
    db,
    tenantId,
    [...entities.keys()].map((key) => {
      const separator = key.indexOf('#');
      return { kind: key.slice(0, separator), id: key.slice(separator + 1) };
    }),
  );
  const bookingPersonData = new Map<string, string>();
  for (const item of await readAll(db, pk, SK_PREFIX.booking)) {
    bookingPersonData.set(
      String(item.sk).slice(SK_PREFIX.booking.length),
      personDataHash(item as { person: never; charges: never }),
    );
  }

  const storedHashes = new Map<string, string>();
  for (const item of await readAll(db, pk, 'HOLDEVENT#')) {
    const [, holdId = '', seqText = ''] = String(item.sk).split('#');
    chainOf(holds, holdId).events.push({ seq: Number(seqText), item });
    storedHashes.set(String(item.sk), String(item.hash));
  }
  for (const item of await readAll(db, pk, TENANT_AUDIT_SK.prefix)) {
    const subject = item.subject as { kind: string; id: string } | undefined;
    const chain = chainOf(entities, `${subject?.kind ?? '?'}#${subject?.id ?? '?'}`);
    chain.events.push({ seq: Number(item.seq), item });
    storedHashes.set(String(item.sk), String(item.hash));
  }

  // 1 and 2: chains, heads and current state.
  let checked = 0;
  for (const [holdId, chain] of holds) {
    chain.head ??= await lateHoldHead(db, tenantId, holdId);
    const last = verifyChain(chain, (link) => report({ chain: 'hold', holdId, ...link }));
    checked += chain.events.length;
    const current = holdItems.get(holdId);
    if (last && current && last.seq === chain.head?.seq && typeof last.item.stateHash === 'string') {
      if (stateHash(holdState(current)) !== last.item.stateHash) {
        report({
          chain: 'hold',
          holdId,
          seq: last.seq,
          eventId: String(last.item.eventId),
          reason: 'state-mismatch',
          detail: 'the hold as stored differs from the state its last audit event recorded',
        });
      }
    }
  }
  for (const [key, chain] of entities) {
    const separator = key.indexOf('#');
    const entity = { kind: key.slice(0, separator), id: key.slice(separator + 1) };
    chain.head ??= await lateEntityHead(db, tenantId, entity);
    const last = verifyChain(chain, (link) => report({ chain: 'entity', entity, ...link }));
    checked += chain.events.length;
    if (
      last &&
      isStateChecked(entity.kind) &&
      last.seq === chain.head?.seq &&
      typeof last.item.stateHash === 'string'
    ) {
      const item = entityItems.get(key) ?? null;
      const personData = typeof last.item.personDataHash === 'string' ? last.item.personDataHash : null;
      if (entityStateHash(entity.kind, item, personData) !== last.item.stateHash) {
        report({
          chain: 'entity',
          entity,
          seq: last.seq,
          eventId: String(last.item.eventId),
          reason: 'state-mismatch',
          detail: item
            ? `the ${entity.kind} as stored differs from the state its last audit event recorded`
            : `the ${entity.kind} is gone, but its last audit event recorded it`,
        });
      }
    }
    const current = entity.kind === 'booking' ? bookingPersonData.get(entity.id) : undefined;
    if (last && current && last.seq === chain.head?.seq && typeof last.item.personDataHash === 'string') {
      if (current !== last.item.personDataHash) {
        report({
          chain: 'entity',
          entity,
          seq: last.seq,
          eventId: String(last.item.eventId),
          reason: 'state-mismatch',
          detail: 'the booking\u2019s person data differs from the hash its last audit event recorded',
        });
      }
    }
  }

  // 3: the signed, archived checkpoints.
  let checkpoints = 0;
  const sealed = new Set<string>();
  if (audit) {
    const archived: unknown[] = [];
    for await (const item of archivedCheckpoints(audit.archive, tenantId)) archived.push(item);
    checkpoints = archived.length;
    const chainBreak = checkCheckpointChain(tenantId, archived, [await audit.signer.publicKey()]);
    if (chainBreak) report({ chain: 'checkpoint', ...chainBreak });
    const bySeq = new Map<number, string>();
    for (const raw of archived) {
      const parsed = archivedCheckpointSchema.safeParse(raw);
      if (!parsed.success) continue;
      const { checkpoint, leaves } = parsed.data;
      bySeq.set(checkpoint.seq, JSON.stringify(parsed.data));
      for (const leaf of leaves) {
        sealed.add(leaf.ref);
        const stored = storedHashes.get(leaf.ref);
        if (stored === leaf.hash) continue;
        report({
          chain: 'checkpoint',
          seq: checkpoint.seq,
          ref: leaf.ref,
          reason: stored === undefined ? 'sealed-event-missing' : 'sealed-event-changed',
          detail:
            stored === undefined
              ? `an event sealed in checkpoint ${checkpoint.seq} is no longer stored`
              : `an event sealed in checkpoint ${checkpoint.seq} is stored with another hash`,
        });
      }
    }
    for (const copy of await readAll(db, pk, CHECKPOINT_SK.prefix)) {
      const { pk: _pk, sk, entity: _entity, ...body } = copy;
      const seq = Number(String(sk).slice(CHECKPOINT_SK.prefix.length));
      const parsed = archivedCheckpointSchema.safeParse(body);
      if (parsed.success && bySeq.get(seq) === JSON.stringify(parsed.data)) continue;
      report({
        chain: 'checkpoint',
        seq,
        reason: 'checkpoint-copy-mismatch',
        detail: 'the table\u2019s copy of this checkpoint is not the archived one',
      });
    }
  }
  const unsealed = [...storedHashes.keys()].filter((ref) => !sealed.has(ref)).length;

  const result: VerifyResult = {
    ok: broken.length === 0,
    checked,
    holds: holds.size,
    entities: entities.size,
    checkpoints,
    unsealed,
  };
  return broken.length === 0 ? result : { ...result, firstBroken: broken[0], broken };
}

/**
 * One chain, link by link in seq order; reports the first break. Returns the last verified event
 * (the one the entity's current state must match), or undefined when the chain is broken.
 */
function verifyChain(
  chain: Chain,
  report: (link: Omit<Break, 'reason'> & { reason: VerifyReason }) => void,
): { seq: number; item: Record<string, unknown> } | undefined {
  const events = [...chain.events].sort((a, b) => a.seq - b.seq);
  if (!chain.head) {
    report({
      seq: 1,
      reason: 'head-mismatch',
      detail: 'audit events exist for an entity that has no chain head',
    });
    return undefined;
  }
  if (events.length === 0 && chain.head.seq > 0) {
    report({
      seq: 1,
      reason: 'missing-seq',
      detail: `no audit events are stored for a head that records ${chain.head.seq}`,
    });
    return undefined;
  }
  let cursor = startCursor();
  for (const { seq, item } of events) {
    const result = checkLink(cursor, seq, item, chain.head.seq);
    if ('broken' in result) {
      report(result.broken);
      return undefined;
    }
    cursor = result.cursor;
  }
  const end = checkHead(cursor, chain.head);
  if (end) {
    report(end);
    return undefined;
  }
  return events.at(-1);
}

/** A hold created after the heads were read: its own head, read now. */
async function lateHoldHead(
  db: Db,
  tenantId: string,
  holdId: string,
): Promise<{ seq: number; hash: string } | undefined> {
  const Item = await readItem(db, tenantKeys.hold(tenantId, holdId), {
    consistent: true,
    projection: 'eventSeq, eventHash',
  });
  return Item ? { seq: Number(Item.eventSeq ?? 0), hash: String(Item.eventHash ?? '') } : undefined;
}

/** An entity first changed after the heads were read: its own head, read now. */
async function lateEntityHead(
  db: Db,
  tenantId: string,
  subject: { kind: string; id: string },
): Promise<{ seq: number; hash: string } | undefined> {
  const Item = await readAuditHead(db, tenantId, subject);
  return Item ? { seq: Number(Item.seq), hash: String(Item.hash) } : undefined;
}
