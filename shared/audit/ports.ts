import type { CheckpointArchive } from './archive.ts';
import type { CheckpointSigner } from './signer.ts';

/** The audit ports every deployment provides: the checkpoint signer and the archive (DESIGN.md §7). */
export interface AuditPorts {
  signer: CheckpointSigner;
  archive: CheckpointArchive;
}
