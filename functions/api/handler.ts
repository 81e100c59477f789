import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { KmsSigner } from '../../shared/audit/kms-signer.ts';
import { S3Archive } from '../../shared/audit/s3-archive.ts';
import { ApiGatewayUsagePlanKeys } from '../../shared/auth/apigateway-usage-plan-keys.ts';
import { depsFromEnvironment } from '../../shared/runtime/aws-deps.ts';
import { tenantDbFromEnvironment } from '../../shared/runtime/tenant-db.ts';
import { createApi } from './app.ts';

const deps = depsFromEnvironment('wso-api');

/** Lambda entry: API Gateway REST proxy events for every /v1 route; tenant keys use tenant-scoped credentials. */
export const handler = createApi({
  ...deps,
  tenantDb: tenantDbFromEnvironment(deps.db),
  // Key issuance and revocation keep the usage plan's per-key API Gateway keys in step (issue 7).
  usagePlanKeys: new ApiGatewayUsagePlanKeys(() => new APIGatewayClient({}), process.env.USAGE_PLAN_ID),
  // Audit routes read the checkpoint archive and the public key (never sign); clients built on first use.
  audit: {
    signer: new KmsSigner(
      lazy(() => new KMSClient({})),
      process.env.AUDIT_KEY_ID,
    ),
    archive: new S3Archive(
      lazy(() => new S3Client({})),
      process.env.AUDIT_BUCKET,
    ),
  },
});

function lazy<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= create();
    return value;
  };
}
