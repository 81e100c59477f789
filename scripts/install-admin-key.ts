/**
 * `npm run admin-key -- --table <TableName> [--region us-gov-west-1] [--revoke <keyId>]`:
 * installs a new platform-admin API key into a deployed table (AWS credentials from the
 * environment) and prints it once with its id. Rotation: install a new key, move your tooling to
 * it, then run again with `--revoke <old keyId>` (the new key is installed, the old one revoked).
 */
import { parseArgs } from 'node:util';
import { installPlatformAdminKey, revokeApiKey } from '../shared/auth/api-keys.ts';
import { systemClock } from '../shared/clock.ts';
import { randomSecret } from '../shared/ids.ts';
import { createDb } from '../shared/store/db.ts';

const { values } = parseArgs({
  options: { table: { type: 'string' }, region: { type: 'string' }, revoke: { type: 'string' } },
});
if (!values.table) {
  console.error('usage: npm run admin-key -- --table <TableName> [--region <region>] [--revoke <keyId>]');
  process.exit(2);
}
const deps = {
  db: createDb({ tableName: values.table, ...(values.region ? { region: values.region } : {}) }),
  clock: systemClock,
};
const apiKey = `wso_admin_${randomSecret(32)}`;
const keyId = await installPlatformAdminKey(deps, apiKey);
console.log(`platform-admin key ${keyId} (shown once; keep it in your secrets manager):\n${apiKey}`);
if (values.revoke) {
  const revoked = await revokeApiKey(deps, { kind: 'platform' }, values.revoke, `operator:${keyId}`);
  console.log(revoked ? `revoked ${values.revoke}` : `no platform key ${values.revoke} to revoke`);
}
