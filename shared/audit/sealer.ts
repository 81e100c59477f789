import type { Clock } from '../clock.ts';
import { newestCheckpointCopySeq, putCheckpointCopy } from '../store/checkpoints.ts';
import type { Db } from '../store/db.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { CheckpointArchive } from './archive.ts';
import {
  type ArchivedCheckpoint,
  archivedCheckpointSchema,
  type Checkpoint,
  checkpointDigest,
  FIRST_PREVIOUS,
  type Leaf,
  merkleRoot,
  signingInput,
} from './checkpoint.ts';
import type { CheckpointSigner } from './signer.ts';

/**
 * The sealer (DESIGN.md §5): turns a county's new audit events, as the table's stream delivers
 * them, into the next signed checkpoint, archives it where the table's writers cannot change it,
 * then copies it into the table (`CHECKPOINT#<seq>`) for listing. The archive, not the copy, is the
 * truth: the previous checkpoint is read from it, and a write there is exclusive per seq, so two
 * sealers racing for one county both end up on one chain.
 */
export interface SealerDeps {
  db: Db;
  clock: Clock;
  signer: CheckpointSigner;
  archive: CheckpointArchive;
}

/** An event to seal: its tenant, where it is stored, its hash, and when the stream saw it written. */
export interface PendingLeaf extends Leaf {
  tenantId: string;
  writtenAt: string;
}

/** Audit event items: the per-entity chains' events and the holds' events. */
export const AUDIT_EVENT_ENTITIES = new Set(['AuditEvent', 'HoldEvent']);

/** Keeps one checkpoint (and its table copy, leaves included) far below DynamoDB's 400 KB item limit. */
export const MAX_LEAVES_PER_CHECKPOINT = 1000;
const ARCHIVE_PAGE = 1000;
const MAX_RACES = 10;

type StreamImage = Record<string, { S?: string } | undefined>;

/** The shape of a stream record the sealer reads (Lambda's event and DynamoDB Streams' own record). */
export interface SealableRecord {
  eventName?: string;
  dynamodb?: { NewImage?: unknown; ApproximateCreationDateTime?: number | Date };
}

/** Newly inserted audit events in a batch of stream records, as leaves to seal. */
export function leavesFromStream(records: readonly SealableRecord[], fallbackTime: Date): PendingLeaf[] {
  const leaves: PendingLeaf[] = [];
  for (const record of records) {
    if (record.eventName !== 'INSERT') continue;
    const image = record.dynamodb?.NewImage as StreamImage | undefined;
    const entity = image?.entity?.S;
    const tenantId = image?.tenantId?.S;
    const ref = image?.sk?.S;
    const hash = image?.hash?.S;
    if (!entity || !AUDIT_EVENT_ENTITIES.has(entity) || !tenantId || !ref || !hash) continue;
    const created = record.dynamodb?.ApproximateCreationDateTime;
    const writtenAt =
      created instanceof Date
        ? created
        : typeof created === 'number'
          ? new Date(created * 1000)
          : fallbackTime;
    leaves.push({ tenantId, ref, hash, writtenAt: toIsoSeconds(writtenAt) });
  }
  return leaves;
}

/** Groups leaves by tenant, each group in the order the stream delivered them. */
export function byTenant(leaves: readonly PendingLeaf[]): Map<string, PendingLeaf[]> {
  const groups = new Map<string, PendingLeaf[]>();
  for (const leaf of leaves) {
    const group = groups.get(leaf.tenantId) ?? [];
    group.push(leaf);
    groups.set(leaf.tenantId, group);
  }
  return groups;
}

/** Seals `leaves` (one tenant's) into as many checkpoints as their number needs. */
export async function sealTenant(
  deps: SealerDeps,
  tenantId: string,
  leaves: readonly PendingLeaf[],
): Promise<Checkpoint[]> {
  const sealed: Checkpoint[] = [];
  for (let start = 0; start < leaves.length; start += MAX_LEAVES_PER_CHECKPOINT) {
    sealed.push(await sealOne(deps, tenantId, leaves.slice(start, start + MAX_LEAVES_PER_CHECKPOINT)));
  }
  return sealed;
}

async function sealOne(
  deps: SealerDeps,
  tenantId: string,
  leaves: readonly PendingLeaf[],
): Promise<Checkpoint> {
  const times = leaves.map((leaf) => leaf.writtenAt).sort();
  const keyId = (await deps.signer.publicKey()).kid;
  for (let race = 0; race < MAX_RACES; race++) {
    const prior = await latestArchived(deps, tenantId);
    const unsigned = {
      tenantId,
      seq: (prior?.checkpoint.seq ?? 0) + 1,
      sealedAt: toIsoSeconds(deps.clock.now()),
      from: times[0] ?? '',
      to: times.at(-1) ?? '',
      eventCount: leaves.length,
      root: merkleRoot(leaves),
      previous: prior ? checkpointDigest(prior.checkpoint) : FIRST_PREVIOUS,
      keyId,
    };
    const checkpoint: Checkpoint = { ...unsigned, signature: await deps.signer.sign(signingInput(unsigned)) };
    const archived: ArchivedCheckpoint = {
      checkpoint,
      leaves: leaves.map(({ ref, hash }) => ({ ref, hash })),
    };
    if ((await deps.archive.put(archived)) === 'exists') continue;
    await putCheckpointCopy(deps.db, tenantId, archived);
    return checkpoint;
  }
  throw new Error(`sealing ${tenantId}: lost ${MAX_RACES} races for the next checkpoint`);
}

/**
 * The tenant's newest archived checkpoint. The table copy's newest seq is only a hint of where to
 * start listing the archive (a table restored from a backup lags behind it).
 */
export async function latestArchived(
  deps: Pick<SealerDeps, 'db' | 'archive'>,
  tenantId: string,
): Promise<ArchivedCheckpoint | undefined> {
  const hint = await newestCheckpointCopySeq(deps.db, tenantId);
  const fromHint = await newestFrom(deps.archive, tenantId, Math.max(0, hint - 1));
  return fromHint ?? (hint > 1 ? newestFrom(deps.archive, tenantId, 0) : undefined);
}

async function newestFrom(
  archive: CheckpointArchive,
  tenantId: string,
  afterSeq: number,
): Promise<ArchivedCheckpoint | undefined> {
  let newest: unknown;
  let after = afterSeq;
  for (;;) {
    const page = await archive.list(tenantId, after, ARCHIVE_PAGE);
    if (page.length === 0) break;
    newest = page.at(-1);
    const parsed = archivedCheckpointSchema.parse(newest);
    after = parsed.checkpoint.seq;
    if (page.length < ARCHIVE_PAGE) break;
  }
  return newest === undefined ? undefined : archivedCheckpointSchema.parse(newest);
}

/** Every archived checkpoint of a tenant, oldest first (verify and the listing read through this). */
export async function* archivedCheckpoints(
  archive: CheckpointArchive,
  tenantId: string,
  afterSeq = 0,
): AsyncGenerator<unknown> {
  let after = afterSeq;
  for (;;) {
    const page = await archive.list(tenantId, after, ARCHIVE_PAGE);
    for (const item of page) yield item;
    if (page.length < ARCHIVE_PAGE) return;
    after = archivedCheckpointSchema.parse(page.at(-1)).checkpoint.seq;
  }
}
