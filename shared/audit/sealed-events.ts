import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../store/db.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from '../store/items.ts';
import { tenantPk } from '../store/keys.ts';
import type { Leaf } from './checkpoint.ts';

const BATCH = 100;

/**
 * The events a checkpoint sealed, read back by their storage reference (BatchGetItem, 100 at a
 * time), in leaf order; null for one no longer stored. An offline verifier recomputes their hashes.
 */
export async function sealedEvents(
  db: Db,
  tenantId: string,
  leaves: readonly Leaf[],
): Promise<{ ref: string; event: Record<string, unknown> | null }[]> {
  const pk = tenantPk(tenantId);
  const found = new Map<string, Record<string, unknown>>();
  const refs = [...new Set(leaves.map((leaf) => leaf.ref))];
  for (let start = 0; start < refs.length; start += BATCH) {
    let keys: Record<string, unknown>[] | undefined = refs
      .slice(start, start + BATCH)
      .map((sk) => ({ pk, sk }));
    while (keys && keys.length > 0) {
      const output: BatchGetCommandOutput = await db.doc.send(
        new BatchGetCommand({ RequestItems: { [db.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of output.Responses?.[db.tableName] ?? []) {
        found.set(String(item.sk), withoutAttributes(item, TABLE_ATTRIBUTES));
      }
      keys = output.UnprocessedKeys?.[db.tableName]?.Keys;
    }
  }
  return leaves.map((leaf) => ({ ref: leaf.ref, event: found.get(leaf.ref) ?? null }));
}
