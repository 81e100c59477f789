import { readEveryItem } from '../store/batch-read.ts';
import type { Db } from '../store/db.ts';
import { TABLE_ATTRIBUTES, withoutAttributes } from '../store/items.ts';
import { tenantPk } from '../store/keys.ts';
import type { Leaf } from './checkpoint.ts';

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
  const refs = [...new Set(leaves.map((leaf) => leaf.ref))];
  const items = await readEveryItem(
    db,
    refs.map((sk) => ({ pk, sk })),
  );
  const found = new Map(
    items.map((item) => [
      String(item.sk),
      withoutAttributes<Record<string, unknown>>(item, TABLE_ATTRIBUTES),
    ]),
  );
  return leaves.map((leaf) => ({ ref: leaf.ref, event: found.get(leaf.ref) ?? null }));
}
