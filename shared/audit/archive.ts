import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchivedCheckpoint } from './checkpoint.ts';

/**
 * The archive port: where checkpoints are kept out of the table writers' reach. S3 with Object
 * Lock in compliance mode in AWS (s3-archive.ts); locally a directory of read-only files beside the
 * local data. Writes never replace: a second checkpoint with the same seq is refused ('exists'),
 * which is also how two sealers racing for one county learn that the other won.
 */
export interface CheckpointArchive {
  put(archived: ArchivedCheckpoint): Promise<'stored' | 'exists'>;
  /** The tenant's checkpoints with seq > `afterSeq`, oldest first, at most `limit`. Raw JSON: the reader validates. */
  list(tenantId: string, afterSeq: number, limit: number): Promise<unknown[]>;
}

/** One object name per checkpoint: `<tenantId>/<seq, 12 digits>.json`, so names sort by seq. */
export const archiveName = (tenantId: string, seq: number): string =>
  `${tenantId}/${String(seq).padStart(12, '0')}.json`;

export const seqOfArchiveName = (name: string): number =>
  Number(/(\d{12})\.json$/.exec(name)?.[1] ?? Number.NaN);

export class FileArchive implements CheckpointArchive {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  async put(archived: ArchivedCheckpoint): Promise<'stored' | 'exists'> {
    const file = join(this.dir, archiveName(archived.checkpoint.tenantId, archived.checkpoint.seq));
    await mkdir(join(this.dir, archived.checkpoint.tenantId), { recursive: true });
    try {
      await writeFile(file, `${JSON.stringify(archived)}\n`, { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
      throw error;
    }
    await chmod(file, 0o444);
    return 'stored';
  }

  async list(tenantId: string, afterSeq: number, limit: number): Promise<unknown[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, tenantId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const wanted = names
      .filter((name) => seqOfArchiveName(name) > afterSeq)
      .sort()
      .slice(0, limit);
    return Promise.all(
      wanted.map(
        async (name) => JSON.parse(await readFile(join(this.dir, tenantId, name), 'utf8')) as unknown,
      ),
    );
  }
}
