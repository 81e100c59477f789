import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ItemKey } from './batch-read.ts';
import type { Db } from './db.ts';

/** One action of a TransactWriteItems request, in the document client's shape. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * One thing a use case wants done in a transaction, as an entity module states it: the module
 * owns the item's key, attributes and condition, and names the rule that condition enforces, so a
 * refusal can be reported as "bookings: booking-free-in-facility" instead of "item 2 failed".
 */
export interface Intent {
  module: string;
  rule: string;
  item: TransactItem;
  /**
   * The same rule and write in memory, for a fake of the storage port (unit tests): `holds` is
   * the condition as a predicate over the stored item, `after` what an Update leaves (a Put
   * stores its item, a ConditionCheck changes nothing). DynamoDB never sees these.
   */
  model?: IntentModel;
}

export type StoredItem = Record<string, unknown>;
export interface IntentModel {
  holds?: (current: StoredItem | undefined) => boolean;
  after?: (current: StoredItem | undefined) => StoredItem | undefined;
}

export const intent = (module: string, rule: string, item: TransactItem, model?: IntentModel): Intent => ({
  module,
  rule,
  item,
  ...(model ? { model } : {}),
});

/*
 * The existence rules most modules need, each with its expression and its model in one place: an
 * item that must be new, and one that must still exist.
 */
const IS_NEW = 'attribute_not_exists(pk)';
const EXISTS = 'attribute_exists(pk)';
const isNew = (current: StoredItem | undefined) => current === undefined;
/** The model of `attribute_exists(pk)`, for intents that add more to it (an Update's `after`). */
export const itemExists = (current: StoredItem | undefined): boolean => current !== undefined;

/** Puts an item whose key must be free. */
export const putNew = (module: string, rule: string, table: string, item: ItemKey & StoredItem): Intent =>
  intent(
    module,
    rule,
    { Put: { TableName: table, Item: item, ConditionExpression: IS_NEW } },
    { holds: isNew },
  );

/** Checks that an item exists (another change's precondition). */
export const checkExists = (module: string, rule: string, table: string, key: ItemKey): Intent =>
  intent(
    module,
    rule,
    { ConditionCheck: { TableName: table, Key: key, ConditionExpression: EXISTS } },
    { holds: itemExists },
  );

/** Deletes an item that must still exist (of two deletions racing, one deletes it). */
export const deleteExisting = (module: string, rule: string, table: string, key: ItemKey): Intent =>
  intent(
    module,
    rule,
    { Delete: { TableName: table, Key: key, ConditionExpression: EXISTS } },
    { holds: itemExists },
  );

/**
 * The storage port as use cases reach it: consistent reads by key (and of one partition's items by
 * sort-key prefix), and intents committed all or nothing. DynamoDB implements it (readItems,
 * UnitOfWork); unit tests pass an in-memory fake as `Db.port`, which evaluates each intent's rule
 * by its model.
 */
export interface StoragePort {
  read(
    wanted: Readonly<Record<string, ItemKey | undefined>>,
  ): Promise<Record<string, StoredItem | undefined>>;
  commit(intents: readonly Intent[]): Promise<void>;
  /** The items of partition `pk` whose sort key starts with `skPrefix` (a Query), strongly consistent. */
  list(pk: string, skPrefix: string): Promise<StoredItem[]>;
}

/** Which intent refused a transaction, and why (DynamoDB's cancellation reason code). */
export interface Refusal {
  module: string;
  rule: string;
  code: string;
}

/**
 * The transaction was cancelled. `refusals` names each intent whose condition failed; `lostRace`
 * is true when it was a conflict with another transaction (retrying may succeed).
 */
export class TransactionRefused extends Error {
  readonly refusals: Refusal[];
  readonly lostRace: boolean;

  constructor(refusals: Refusal[], lostRace: boolean, cause: unknown) {
    super(
      refusals.length > 0
        ? `transaction refused by ${refusals.map((r) => `${r.module}: ${r.rule}`).join(', ')}`
        : 'transaction cancelled by a conflict',
      { cause },
    );
    this.name = 'TransactionRefused';
    this.refusals = refusals;
    this.lostRace = lostRace;
  }

  /** The first refusal by one module (e.g. did the booking's condition fail?). */
  by(module: string, rule?: string): Refusal | undefined {
    return this.refusals.find((r) => r.module === module && (rule === undefined || r.rule === rule));
  }
}

/**
 * A unit of work: collects a use case's intents and commits them as ONE TransactWriteItems (all
 * or nothing, DESIGN.md §7). A cancellation comes back as TransactionRefused, mapped to the
 * modules and rules that refused; other errors (throttling, validation) pass through unchanged.
 */
export class UnitOfWork {
  private readonly intents: Intent[] = [];
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  get tableName(): string {
    return this.db.tableName;
  }

  add(...intents: Intent[]): this {
    this.intents.push(...intents);
    return this;
  }

  get size(): number {
    return this.intents.length;
  }

  async commit(): Promise<void> {
    if (this.intents.length === 0) return;
    if (this.db.port) return this.db.port.commit(this.intents);
    try {
      await this.db.doc.send(new TransactWriteCommand({ TransactItems: this.intents.map((i) => i.item) }));
    } catch (error) {
      throw refusalOf(error, this.intents) ?? error;
    }
  }
}

/** Maps a TransactionCanceledException's reasons (one per item, in order) back to the intents. */
export function refusalOf(error: unknown, intents: readonly Intent[]): TransactionRefused | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const refusals: Refusal[] = [];
  let lostRace = reasons.length === 0;
  reasons.forEach((reason, index) => {
    const code = reason.Code ?? 'None';
    if (code === 'TransactionConflict') lostRace = true;
    const refused = intents[index];
    if (code === 'ConditionalCheckFailed' && refused) {
      refusals.push({ module: refused.module, rule: refused.rule, code });
    }
  });
  // Cancelled by neither a rule nor a race (throttling, validation): passed through unchanged, so
  // the edge answers a busy table 503 (isTransientFailure), not 409.
  if (refusals.length === 0 && !lostRace) return undefined;
  return new TransactionRefused(refusals, lostRace, error);
}

/** How many times a use case re-reads and decides again after losing a race. */
export const MAX_ATTEMPTS = 5;

/** The change kept losing races: the edge answers 409 `concurrent-modification` (or 503). */
export class RacesLost extends Error {
  readonly subject: string;

  constructor(subject: string) {
    super(`${subject} kept changing meanwhile`);
    this.name = 'RacesLost';
    this.subject = subject;
  }
}

/** How a retry loop waits between attempts and what it answers once they are spent. */
export interface RetryPolicy {
  attempts?: number;
  /** Waits before attempt `attempt + 1`, after `error` ended attempt `attempt` (none by default). */
  pause?: (attempt: number, error: unknown) => Promise<void>;
  /** The error once every attempt lost (RacesLost, the edge's 409, by default). */
  gaveUp?: (subject: string, lastError: unknown) => Error;
}

/**
 * Full-jitter backoff (a random wait up to 10 ms x 2^attempt, at most 200 ms): racers on one item
 * (an entity's audit head) spread out instead of colliding again on the next round.
 */
export const fullJitterPause = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 10 * 2 ** attempt)));

/**
 * Any refused commit (a rule's condition or a conflict): decided again from a fresh read, which
 * names the rule that broke or finds the change now applies. retryLostRaces' default.
 */
export const anyRefusal = (error: unknown): boolean => error instanceof TransactionRefused;

/**
 * The one place a lost race is retried: `work` reads, decides and commits; when its commit is
 * refused (a condition on something read moved, or a conflict), it runs again from a fresh read,
 * so the refusal is named by what the fresh read shows. `isRace` picks which errors to retry.
 */
export async function retryLostRaces<T>(
  subject: string,
  work: (attempt: number) => Promise<T>,
  isRace: (error: unknown, attempt: number) => boolean = anyRefusal,
  policy: RetryPolicy = {},
): Promise<T> {
  const attempts = policy.attempts ?? MAX_ATTEMPTS;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!isRace(error, attempt)) throw error;
      lastError = error;
      if (attempt < attempts) await policy.pause?.(attempt, error);
    }
  }
  throw policy.gaveUp?.(subject, lastError) ?? new RacesLost(subject);
}
