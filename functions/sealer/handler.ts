import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { KmsSigner } from '../../shared/audit/kms-signer.ts';
import { S3Archive } from '../../shared/audit/s3-archive.ts';
import { systemClock } from '../../shared/clock.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { createDb } from '../../shared/store/db.ts';
import { createSealerHandler } from './app.ts';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required`);
  return value;
};

let kms: KMSClient | undefined;
let s3: S3Client | undefined;

/** Lambda entry: the table's stream (audit events only) → signed checkpoints in the Object Lock bucket. */
export const handler = createSealerHandler({
  db: createDb({ tableName: required('TABLE_NAME') }),
  clock: systemClock,
  signer: new KmsSigner(() => (kms ??= new KMSClient({})), required('AUDIT_KEY_ID')),
  archive: new S3Archive(() => (s3 ??= new S3Client({})), required('AUDIT_BUCKET')),
  logger: createLogger('wso-sealer'),
});
