import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { awsAuditPortsOnFirstUse } from '../../shared/audit/aws-ports.ts';
import { functionBaseDeps } from '../../shared/runtime/aws-deps.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { handlerLoadedOnFirstEvent } from '../../shared/runtime/on-first-use.ts';

const env = readEnvironment('sealer');
const base = functionBaseDeps(env, 'wso-sealer');
const deps = { ...base, ...awsAuditPortsOnFirstUse(env.AUDIT_KEY_ID, env.AUDIT_BUCKET) };

/** Lambda entry: the table's stream (audit events only) → signed checkpoints in the Object Lock bucket. */
export const handler: (event: DynamoDBStreamEvent, context: unknown) => Promise<DynamoDBBatchResponse> =
  handlerLoadedOnFirstEvent(async () => (await import('./app.ts')).createSealerHandler(deps));
