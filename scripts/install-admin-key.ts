/**
 * `npm run admin-key -- --table <TableName> --usage-plan <UsagePlanId> [--region us-gov-west-1]
 * [--revoke <keyId>]`: installs a new platform-admin API key into a deployed table (AWS credentials
 * from the environment), registers it in the API's usage plan (the api stack's `UsagePlanId`
 * output; API Gateway refuses keys outside it) and prints it once with its id. Rotation: install a
 * new key, move your tooling to it, then run again with `--revoke <old keyId>` (the new key is
 * installed, the old one revoked and its API Gateway key deleted).
 *
 * `--stage` (default `dev`, the CDK app's default) tags the API Gateway keys as the API tags its own
 * (issue 19: the API function's role may delete only keys with its stage's tags).
 *
 * `npm run admin-key -- --table <TableName> --usage-plan <UsagePlanId> --backfill [--dry-run]`:
 * registers every live key issued before usage-plan keys existed with the usage plan (from the
 * stored hashes: no secret is needed), so the deployment can switch `apiKeyRequired` on safely.
 * Installs no key. Safe to run again (it registers nothing twice); `--dry-run` only lists. Exit 1
 * when a key could not be registered.
 */
import { parseArgs } from 'node:util';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { installPlatformAdminKey, revokeApiKey } from '../shared/auth/api-keys.ts';
import { ApiGatewayUsagePlanKeys, usagePlanKeyTags } from '../shared/auth/apigateway-usage-plan-keys.ts';
import { backfillUsagePlanKeys } from '../shared/auth/usage-plan-backfill.ts';
import { systemClock } from '../shared/clock.ts';
import { randomSecret, ulidGenerator } from '../shared/ids.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import { createDb } from '../shared/store/db.ts';

/** Between two registrations of a backfill: 4 per second, under API Gateway's 5 CreateApiKey/s. */
const BACKFILL_PACE_MS = 250;

const { values } = parseArgs({
  options: {
    table: { type: 'string' },
    'usage-plan': { type: 'string' },
    region: { type: 'string' },
    revoke: { type: 'string' },
    stage: { type: 'string', default: 'dev' },
    backfill: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
});
const usagePlanId = values['usage-plan'];
if (!values.table || !usagePlanId) {
  console.error(
    'usage: npm run admin-key -- --table <TableName> --usage-plan <UsagePlanId> [--region <region>] [--stage <stage>] [--revoke <keyId>]\n' +
      '       npm run admin-key -- --table <TableName> --usage-plan <UsagePlanId> [--region <region>] [--stage <stage>] --backfill [--dry-run]',
  );
  process.exit(2);
}
const region = values.region ? { region: values.region } : {};
const deps = {
  db: createDb({ tableName: values.table, ...region }),
  clock: systemClock,
  // Tagged like the keys the API issues (issue 19), so that its role may delete them on revocation.
  usagePlanKeys: new ApiGatewayUsagePlanKeys(
    () => new APIGatewayClient(region),
    usagePlanId,
    usagePlanKeyTags(values.stage ?? 'dev'),
  ),
  logger: createLogger('wso-admin-key'),
  ids: ulidGenerator(systemClock),
};
if (values.backfill) {
  // API Gateway allows 5 CreateApiKey calls per second per account: leave room for live issuance.
  const pace = () => new Promise<void>((resolve) => setTimeout(resolve, BACKFILL_PACE_MS));
  const dryRun = values['dry-run'] === true;
  const report = await backfillUsagePlanKeys(deps, {
    dryRun,
    pace,
    onKey: (line) =>
      console.log(
        `${line.outcome} ${line.keyId} (${line.role}, ${line.owner})${line.detail ? `: ${line.detail}` : ''}`,
      ),
  });
  const failed = report.lines.filter((line) => line.outcome === 'failed').length;
  console.log(
    `${dryRun ? 'dry run: ' : ''}${report.lines.length} key(s) without a usage-plan key in ${report.owners} owner partitions; ${failed} failed`,
  );
  process.exit(failed > 0 ? 1 : 0);
}
if (values['dry-run']) {
  console.error('--dry-run goes with --backfill');
  process.exit(2);
}

const apiKey = `wso_admin_${randomSecret(32)}`;
const keyId = await installPlatformAdminKey(deps, apiKey);
console.log(`platform-admin key ${keyId} (shown once; keep it in your secrets manager):\n${apiKey}`);
if (values.revoke) {
  const revoked = await revokeApiKey(deps, { kind: 'platform' }, values.revoke, `operator:${keyId}`);
  console.log(revoked ? `revoked ${values.revoke}` : `no platform key ${values.revoke} to revoke`);
}
