import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Db } from '../store/db.ts';
import { toIsoSeconds } from '../util/time.ts';
import { FileArchive } from './archive.ts';
import { archivedCheckpointSchema } from './checkpoint.ts';
import type { AuditPorts } from './ports.ts';
import {
  archivedCheckpoints,
  leavesFromStream,
  type PendingLeaf,
  type SealableRecord,
  sealTenant,
} from './sealer.ts';
import { KeyFileSigner } from './signer.ts';

/** A pending event is sealed once it has waited this long (virtual time), so every event is sealed within a minute. */
export const LOCAL_SEAL_AFTER_MS = 30_000;

/**
 * The local runtime's sealer: the stream poller hands it every record it reads (`observe`), and
 * each step of the virtual clock lets it seal the counties whose oldest pending event has waited
 * `LOCAL_SEAL_AFTER_MS` (`sealDue`). Signing key and archive live in `<dataDir>/audit` (a temporary
 * directory for an in-memory run), never in the table. The poller re-reads the stream from its
 * start after a restart: events an archived checkpoint already holds are not sealed again.
 */
export class LocalSealer {
  readonly ports: AuditPorts;
  readonly dir: string;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly pending = new Map<string, PendingLeaf[]>();
  private readonly sealedRefs = new Map<string, Set<string>>();
  private queue: Promise<unknown> = Promise.resolve();
  /** True when the directory is a temporary one (an in-memory run): removed by `close`. */
  private readonly temporary: boolean;

  constructor(options: { db: Db; clock: Clock; dataDir?: string | undefined }) {
    this.db = options.db;
    this.clock = options.clock;
    this.temporary = !options.dataDir;
    this.dir = options.dataDir ? join(options.dataDir, 'audit') : mkdtempSync(join(tmpdir(), 'wso-audit-'));
    this.ports = {
      signer: new KeyFileSigner(join(this.dir, 'signing-key.pem')),
      archive: new FileArchive(join(this.dir, 'checkpoints')),
    };
  }

  observe(records: readonly SealableRecord[]): void {
    const now = this.clock.now();
    for (const leaf of leavesFromStream(records, now)) {
      // The poller stamps no virtual time: the clock at observation stands in for the write time.
      const group = this.pending.get(leaf.tenantId) ?? [];
      group.push({ ...leaf, writtenAt: toIsoSeconds(now) });
      this.pending.set(leaf.tenantId, group);
    }
  }

  /** Seals every county with an event pending for `LOCAL_SEAL_AFTER_MS` or more (`force`: all of them). */
  sealDue(force = false): Promise<number> {
    const run = this.queue.then(() => this.sealNow(force));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for a running seal; an in-memory run's key and archive go with it. */
  async close(): Promise<void> {
    await this.queue;
    if (this.temporary) rmSync(this.dir, { recursive: true, force: true });
  }

  private async sealNow(force: boolean): Promise<number> {
    const now = this.clock.now().getTime();
    let sealed = 0;
    for (const [tenantId, leaves] of [...this.pending]) {
      const oldest = Math.min(...leaves.map((leaf) => Date.parse(leaf.writtenAt)));
      if (!force && now - oldest < LOCAL_SEAL_AFTER_MS) continue;
      const done = await this.sealedRefsOf(tenantId);
      const fresh = leaves.filter((leaf) => !done.has(leaf.ref));
      if (fresh.length > 0) {
        await sealTenant({ db: this.db, clock: this.clock, ...this.ports }, tenantId, fresh);
        for (const leaf of fresh) done.add(leaf.ref);
        sealed += fresh.length;
      }
      this.pending.delete(tenantId);
    }
    return sealed;
  }

  private async sealedRefsOf(tenantId: string): Promise<Set<string>> {
    let refs = this.sealedRefs.get(tenantId);
    if (!refs) {
      refs = new Set();
      for await (const raw of archivedCheckpoints(this.ports.archive, tenantId)) {
        const parsed = archivedCheckpointSchema.safeParse(raw);
        if (parsed.success) for (const leaf of parsed.data.leaves) refs.add(leaf.ref);
      }
      this.sealedRefs.set(tenantId, refs);
    }
    return refs;
  }
}
