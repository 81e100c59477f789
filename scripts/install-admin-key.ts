/**
 * `npm run admin-key -- --table <TableName> --usage-plan <UsagePlanId> [--region us-gov-west-1]
 * [--revoke <keyId>]`: installs a new platform-admin API key into a deployed table (AWS credentials
 * from the environment), registers it in the API's usage plan (the api stack's `UsagePlanId`
 * output; API Gateway refuses keys outside it) and prints it once with its id. Rotation: install a
 * new key, move your tooling to it, then run again with `--revoke <old keyId>` (the new key is
 * installed, the old one revoked and its API Gateway key deleted).
 */
import { parseArgs } from 'node:util';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { installPlatformAdminKey, revokeApiKey } from '../shared/auth/api-keys.ts';
import { ApiGatewayUsagePlanKeys } from '../shared/auth/apigateway-usage-plan-keys.ts';
import { systemClock } from '../shared/clock.ts';
import { randomSecret, ulidGenerator } from '../shared/ids.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import { createDb } from '../shared/store/db.ts';

const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    'usage-plan': { type: 'string' },
    region: { type: 'string' },
    revoke: { type: 'string' },
  },
});
const usagePlanId = values['usage-plan'];
if (!values.table || !usagePlanId) {
  console.error(
    'usage: npm run admin-key -- --table <TableName> --usage-plan <UsagePlanId> [--region <region>] [--revoke <keyId>]',
  );
  process.exit(2);
}
const region = values.region ? { region: values.region } : {};
const deps = {
  db: createDb({ tableName: values.table, ...region }),
  clock: systemClock,
  usagePlanKeys: new ApiGatewayUsagePlanKeys(() => new APIGatewayClient(region), usagePlanId),
  logger: createLogger('wso-admin-key'),
  ids: ulidGenerator(systemClock),
};
const apiKey = `wso_admin_${randomSecret(32)}`;
const keyId = await installPlatformAdminKey(deps, apiKey);
console.log(`platform-admin key ${keyId} (shown once; keep it in your secrets manager):\n${apiKey}`);
if (values.revoke) {
  const revoked = await revokeApiKey(deps, { kind: 'platform' }, values.revoke, `operator:${keyId}`);
  console.log(revoked ? `revoked ${values.revoke}` : `no platform key ${values.revoke} to revoke`);
}
