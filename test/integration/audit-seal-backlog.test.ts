import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSealerHandler } from '../../functions/sealer/app.ts';
import { FileArchive } from '../../shared/audit/archive.ts';
import { LocalSealer } from '../../shared/audit/local-audit.ts';
import { KeyFileSigner } from '../../shared/audit/signer.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { noopMetrics, setCustodyMetrics } from '../../shared/observability/metrics.ts';
import { TEST_START, useRuntime } from '../support/runtime.ts';

/**
 * Issue 14, alarm "a county whose newest checkpoint is older than 5 minutes": on every run the
 * sealer reports how many counties have an event waiting more than 5 minutes for a checkpoint, and
 * how long the oldest has waited, from the counties it knows to have unsealed events (no scan).
 */
const runtime = useRuntime();
const MINUTE = 60_000;
let events = 0;

/** A stream record of a newly inserted audit event of `tenantId`, written at `writtenAt`. */
function auditInsert(tenantId: string, writtenAt: Date) {
  const sk = `AUDIT#booking#${++events}`;
  return {
    eventName: 'INSERT' as const,
    dynamodb: {
      ApproximateCreationDateTime: writtenAt.getTime() / 1000,
      SequenceNumber: String(events),
      NewImage: {
        entity: { S: 'AuditEvent' },
        tenantId: { S: tenantId },
        sk: { S: sk },
        hash: { S: createHash('sha256').update(sk).digest('hex') },
      },
    },
  };
}

function recordBacklog(): { staleCounties: number; oldestUnsealedAgeSeconds: number }[] {
  const reports: { staleCounties: number; oldestUnsealedAgeSeconds: number }[] = [];
  setCustodyMetrics({
    ...noopMetrics,
    auditSealBacklog: (staleCounties, oldestUnsealedAgeSeconds) =>
      reports.push({ staleCounties, oldestUnsealedAgeSeconds }),
  });
  return reports;
}

const dirs: string[] = [];
afterEach(() => {
  setCustodyMetrics(undefined);
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the sealer\u2019s staleness report', () => {
  it('Lambda: counts the batch\u2019s counties whose oldest event waited more than 5 minutes', async () => {
    const reports = recordBacklog();
    const clock = new VirtualClock({ start: TEST_START });
    const dir = mkdtempSync(join(tmpdir(), 'wso-backlog-'));
    dirs.push(dir);
    const handler = createSealerHandler({
      db: runtime().deps.db,
      clock,
      signer: new KeyFileSigner(join(dir, 'key.pem')),
      archive: new FileArchive(join(dir, 'checkpoints')),
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    });
    const at = (msAgo: number) => new Date(TEST_START.getTime() - msAgo);
    const result = await handler({
      Records: [
        auditInsert('backlog-late', at(6 * MINUTE)),
        auditInsert('backlog-late', at(MINUTE)),
        auditInsert('backlog-fresh', at(2 * MINUTE)),
        auditInsert('backlog-edge', at(5 * MINUTE)),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    // Exactly 5 minutes is not older than 5 minutes.
    expect(reports).toEqual([{ staleCounties: 1, oldestUnsealedAgeSeconds: 360 }]);
  });

  it('Lambda: a batch of nothing but fresh events reports zero stale counties', async () => {
    const reports = recordBacklog();
    const dir = mkdtempSync(join(tmpdir(), 'wso-backlog-'));
    dirs.push(dir);
    const handler = createSealerHandler({
      db: runtime().deps.db,
      clock: new VirtualClock({ start: TEST_START }),
      signer: new KeyFileSigner(join(dir, 'key.pem')),
      archive: new FileArchive(join(dir, 'checkpoints')),
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    });
    await handler({ Records: [auditInsert('backlog-quiet', new Date(TEST_START.getTime() - 30_000))] });
    expect(reports).toEqual([{ staleCounties: 0, oldestUnsealedAgeSeconds: 30 }]);
  });

  it('local runtime: a county whose sealing keeps failing turns stale after 5 minutes of virtual time', async () => {
    const reports = recordBacklog();
    const clock = new VirtualClock({ start: TEST_START });
    const sealer = new LocalSealer({ db: runtime().deps.db, clock });
    try {
      sealer.observe([auditInsert('backlog-local', clock.now())]);
      clock.advance(10_000);
      await sealer.sealDue();
      expect(reports.at(-1)).toEqual({ staleCounties: 0, oldestUnsealedAgeSeconds: 10 });

      // The archive refuses every write (a fault the file archive cannot produce on demand).
      vi.spyOn(sealer.ports.archive, 'put').mockRejectedValue(new Error('archive unavailable'));
      clock.advance(MINUTE);
      await expect(sealer.sealDue()).rejects.toThrow('archive unavailable');
      expect(reports.at(-1)).toEqual({ staleCounties: 0, oldestUnsealedAgeSeconds: 70 });
      clock.advance(5 * MINUTE);
      await expect(sealer.sealDue()).rejects.toThrow('archive unavailable');
      expect(reports.at(-1)).toEqual({ staleCounties: 1, oldestUnsealedAgeSeconds: 370 });

      // Sealed at last: nothing is pending, nothing is stale.
      vi.restoreAllMocks();
      expect(await sealer.sealDue()).toBe(1);
      clock.advance(10_000);
      await sealer.sealDue();
      expect(reports.at(-1)).toEqual({ staleCounties: 0, oldestUnsealedAgeSeconds: 0 });
    } finally {
      await sealer.close();
    }
  });
});
