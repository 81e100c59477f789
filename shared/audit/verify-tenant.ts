import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../store/db.ts';
import { SK_PREFIX, tenantKeys, tenantPk } from '../store/keys.ts';
import { type Break, type ChainCursor, checkHead, checkLink, startCursor } from './chain-check.ts';
import { readTenantAuditHead, TENANT_AUDIT_SK } from './tenant-audit.ts';

/**
 * `GET .../audit/verify`: recomputes every hash chain of one tenant and names the first broken link.
 * Reads are single-partition Queries in key order (no Scan): the holds' chain heads (a projection of
 * HOLD# items), every hold event (HOLDEVENT#, grouped by hold because the sort key is
 * `HOLDEVENT#<holdId>#<seq>`), then the tenant's own chain (AUDIT#). Heads are read before events,
 * so a transition landing mid-verification cannot be mistaken for tampering.
 */
export interface BrokenLink extends Break {
  chain: 'hold' | 'tenant';
  holdId?: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Events verified (hold events and tenant audit events). */
  checked: number;
  /** Hold chains verified. */
  holds: number;
  firstBroken?: BrokenLink;
}

interface Head {
  holdId: string;
  seq: number;
  hash: string;
}

const HOLD_EVENT_PREFIX = 'HOLDEVENT#';

async function* queryPrefix(
  db: Db,
  pk: string,
  prefix: string,
  projection?: string[],
): AsyncGenerator<Record<string, unknown>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.doc.send(
      new QueryCommand({
        TableName: db.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ConsistentRead: true,
        ...(projection
          ? {
              ProjectionExpression: projection.map((_, index) => `#p${index}`).join(', '),
              ExpressionAttributeNames: Object.fromEntries(
                projection.map((name, index) => [`#p${index}`, name]),
              ),
            }
          : {}),
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) yield item;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

const toHead = (item: Record<string, unknown>): Head => ({
  holdId: String(item.sk).slice(SK_PREFIX.hold.length),
  seq: Number(item.eventSeq ?? 0),
  hash: String(item.eventHash ?? ''),
});

async function holdHeads(db: Db, tenantId: string): Promise<Head[]> {
  const heads: Head[] = [];
  for await (const item of queryPrefix(db, tenantPk(tenantId), SK_PREFIX.hold, [
    'sk',
    'eventSeq',
    'eventHash',
  ])) {
    heads.push(toHead(item));
  }
  return heads;
}

/** A hold created after the heads were read: its own head, read now. */
async function lateHead(db: Db, tenantId: string, holdId: string): Promise<Head | undefined> {
  const { Item } = await db.doc.send(
    new GetCommand({
      TableName: db.tableName,
      Key: tenantKeys.hold(tenantId, holdId),
      ConsistentRead: true,
      ProjectionExpression: 'sk, eventSeq, eventHash',
    }),
  );
  return Item ? toHead(Item) : undefined;
}

interface Group {
  holdId: string;
  head: Head | undefined;
  cursor: ChainCursor;
}

export async function verifyTenantAudit(db: Db, tenantId: string): Promise<VerifyResult> {
  const heads = await holdHeads(db, tenantId);
  let next = 0;
  let checked = 0;
  let holds = 0;
  let group: Group | undefined;
  const broken = (link: Omit<BrokenLink, 'chain'>, chain: BrokenLink['chain'] = 'hold'): VerifyResult => ({
    ok: false,
    checked,
    holds,
    firstBroken: { chain, ...link },
  });
  const finish = (current: Group): BrokenLink | undefined => {
    holds += 1;
    if (!current.head) {
      return {
        chain: 'hold',
        holdId: current.holdId,
        seq: 1,
        reason: 'head-mismatch',
        detail: 'audit events exist for a hold that has no record',
      };
    }
    const end = checkHead(current.cursor, current.head);
    return end ? { chain: 'hold', holdId: current.holdId, ...end } : undefined;
  };
  const headless = (head: Head): Omit<BrokenLink, 'chain'> => ({
    holdId: head.holdId,
    seq: 1,
    reason: 'missing-seq',
    detail: `no audit events are stored for a hold whose head records ${head.seq}`,
  });

  for await (const item of queryPrefix(db, tenantPk(tenantId), HOLD_EVENT_PREFIX)) {
    const [, holdId = '', seqText = ''] = String(item.sk).split('#');
    if (group?.holdId !== holdId) {
      if (group) {
        const end = finish(group);
        if (end) return { ok: false, checked, holds, firstBroken: end };
      }
      // Heads with no events at all sort before this hold: each is a chain deleted whole.
      const skipped = heads[next];
      if (skipped && skipped.holdId < holdId) return broken(headless(skipped));
      const head = heads[next]?.holdId === holdId ? heads[next++] : await lateHead(db, tenantId, holdId);
      group = { holdId, head, cursor: startCursor() };
    }
    const result = checkLink(group.cursor, Number(seqText), item, group.head?.seq);
    if ('broken' in result) return broken({ holdId, ...result.broken });
    group.cursor = result.cursor;
    checked += 1;
  }
  if (group) {
    const end = finish(group);
    if (end) return { ok: false, checked, holds, firstBroken: end };
  }
  const leftover = heads[next];
  if (leftover) return broken(headless(leftover));

  const tenantHead = await readTenantAuditHead(db, tenantId);
  let cursor = startCursor();
  for await (const item of queryPrefix(db, tenantPk(tenantId), TENANT_AUDIT_SK.prefix)) {
    const seq = Number(String(item.sk).slice(TENANT_AUDIT_SK.prefix.length));
    const result = checkLink(cursor, seq, item, tenantHead.seq);
    if ('broken' in result) return broken(result.broken, 'tenant');
    cursor = result.cursor;
    checked += 1;
  }
  const end = checkHead(cursor, tenantHead);
  if (end) return broken(end, 'tenant');
  return { ok: true, checked, holds };
}
