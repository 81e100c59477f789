import type { ItemKey } from '../../../shared/store/batch-read.ts';
import type { Db } from '../../../shared/store/db.ts';
import {
  type Intent,
  type Refusal,
  type StoragePort,
  type StoredItem,
  TransactionRefused,
} from '../../../shared/store/unit-of-work.ts';

const id = (key: ItemKey) => `${key.pk}\u0000${key.sk}`;

/** The item an intent's action names, and whether DynamoDB would check a condition on it. */
function actionOf(intent: Intent): { key: ItemKey; kind: string; conditional: boolean; put?: StoredItem } {
  const [kind, action] = Object.entries(intent.item).find(([, value]) => value !== undefined) ?? [];
  const body = action as { Key?: ItemKey; Item?: StoredItem; ConditionExpression?: string } | undefined;
  const key = (body?.Key ?? body?.Item) as ItemKey | undefined;
  if (!kind || !key) throw new Error(`${intent.module}: ${intent.rule} names no item`);
  return {
    key: { pk: key.pk, sk: key.sk },
    kind,
    conditional: kind === 'ConditionCheck' || body?.ConditionExpression !== undefined,
    ...(body?.Item ? { put: body.Item } : {}),
  };
}

/**
 * An in-memory fake of the storage port, at the intent level: reads by key from an item map, and
 * commits a unit of work all or nothing, judging each intent by its module's rule as the intent
 * models it (`model.holds`, `model.after`), never by reading DynamoDB expressions. An intent with a
 * condition but no model is an error here, so a rule the fake cannot judge never passes silently.
 */
export class FakeStorage implements StoragePort {
  readonly items = new Map<string, StoredItem>();
  readonly committed: Intent[][] = [];
  /** Each `read` (one GetItem or BatchGetItem in DynamoDB), by the names asked for. */
  readonly reads: string[][] = [];
  /** Run before the next commits, one each: a concurrent writer that gets there first. */
  readonly interleaved: (() => void)[] = [];

  db(tableName = 'fake-table'): Db {
    return { tableName, doc: undefined as never, port: this };
  }

  put(item: StoredItem & ItemKey): void {
    this.items.set(id(item), structuredClone(item));
  }

  get(key: ItemKey): StoredItem | undefined {
    return this.items.get(id(key));
  }

  remove(key: ItemKey): void {
    this.items.delete(id(key));
  }

  async read(wanted: Readonly<Record<string, ItemKey | undefined>>) {
    this.reads.push(Object.keys(wanted));
    return Object.fromEntries(
      Object.entries(wanted).map(([name, key]) => {
        const item = key ? this.items.get(id(key)) : undefined;
        return [name, item ? structuredClone(item) : undefined];
      }),
    );
  }

  async list(pk: string, skPrefix: string): Promise<StoredItem[]> {
    return [...this.items.values()]
      .filter((item) => item.pk === pk && String(item.sk).startsWith(skPrefix))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
      .map((item) => structuredClone(item));
  }

  async commit(intents: readonly Intent[]): Promise<void> {
    this.interleaved.shift()?.();
    const refusals: Refusal[] = [];
    const writes: [string, StoredItem | undefined][] = [];
    for (const intent of intents) {
      const action = actionOf(intent);
      const current = this.items.get(id(action.key));
      if (action.conditional && !intent.model?.holds) {
        throw new Error(`${intent.module}: ${intent.rule} has a condition but no in-memory rule`);
      }
      if (intent.model?.holds && !intent.model.holds(current)) {
        refusals.push({ module: intent.module, rule: intent.rule, code: 'ConditionalCheckFailed' });
        continue;
      }
      if (action.kind === 'Put') writes.push([id(action.key), action.put]);
      if (action.kind === 'Delete') writes.push([id(action.key), undefined]);
      if (action.kind === 'Update') {
        if (!intent.model?.after)
          throw new Error(`${intent.module}: ${intent.rule} updates with no in-memory effect`);
        writes.push([id(action.key), intent.model.after(current)]);
      }
    }
    if (refusals.length > 0) throw new TransactionRefused(refusals, false, undefined);
    for (const [key, item] of writes) {
      if (item) this.items.set(key, structuredClone(item));
      else this.items.delete(key);
    }
    this.committed.push([...intents]);
  }
}
