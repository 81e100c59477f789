import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { archiveName, type CheckpointArchive } from './archive.ts';
import type { ArchivedCheckpoint } from './checkpoint.ts';

/**
 * The archive in AWS: an S3 bucket with Object Lock (compliance mode, default retention >= 1
 * year, infra/constructs/audit-sealer.ts), so no one, the account root included, can change or
 * delete a checkpoint before its retention ends. `If-None-Match: *` makes each name write-once.
 */
export class S3Archive implements CheckpointArchive {
  private readonly client: () => S3Client;
  private readonly bucket: string | undefined;

  constructor(client: () => S3Client, bucket: string | undefined) {
    this.client = client;
    this.bucket = bucket;
  }

  private name(): string {
    if (!this.bucket) throw new Error('AUDIT_BUCKET is not set');
    return this.bucket;
  }

  async put(archived: ArchivedCheckpoint): Promise<'stored' | 'exists'> {
    try {
      await this.client().send(
        new PutObjectCommand({
          Bucket: this.name(),
          Key: archiveName(archived.checkpoint.tenantId, archived.checkpoint.seq),
          Body: JSON.stringify(archived),
          ContentType: 'application/json',
          IfNoneMatch: '*',
          ChecksumAlgorithm: 'SHA256',
        }),
      );
      return 'stored';
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || status === 409) return 'exists';
      throw error;
    }
  }

  async list(tenantId: string, afterSeq: number, limit: number): Promise<unknown[]> {
    const { Contents = [] } = await this.client().send(
      new ListObjectsV2Command({
        Bucket: this.name(),
        Prefix: `${tenantId}/`,
        ...(afterSeq > 0 ? { StartAfter: archiveName(tenantId, afterSeq) } : {}),
        MaxKeys: limit,
      }),
    );
    return Promise.all(
      Contents.flatMap(({ Key }) => (Key ? [Key] : [])).map(async (Key) => {
        const object = await this.client().send(new GetObjectCommand({ Bucket: this.name(), Key }));
        return JSON.parse((await object.Body?.transformToString('utf8')) ?? 'null') as unknown;
      }),
    );
  }
}
