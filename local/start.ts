/**
 * `npm start`: the whole system on this machine. `npm start -- --in-memory` for a throwaway run.
 * Environment: PORT (default 3000), WSO_ADMIN_KEY (24+ characters; otherwise one is generated),
 * WSO_DATA_DIR (default .local-data), WSO_DYNAMODB_ENDPOINT (an existing DynamoDB (Local) to use
 * instead of starting one; the admin key and the virtual clock stay in WSO_DATA_DIR), WSO_OIDC_PORT
 * (the local identity provider's port; default any).
 */
import { totpOf } from './oidc/demo-people.ts';
import { startLocalRuntime } from './runtime.ts';

const DATA_DIR = process.env.WSO_DATA_DIR ?? '.local-data';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--in-memory');
  if (unknown.length > 0)
    throw new Error(`unknown option ${unknown.join(' ')} (only --in-memory is accepted)`);
  const inMemory = args.includes('--in-memory');
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not ${process.env.PORT}`);

  const dynamoEndpoint = process.env.WSO_DYNAMODB_ENDPOINT || undefined;
  if (dynamoEndpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(dynamoEndpoint))
    throw new Error(
      `WSO_DYNAMODB_ENDPOINT must be a URL such as http://127.0.0.1:8000, not ${dynamoEndpoint}`,
    );

  const runtime = await startLocalRuntime({
    port,
    ...(dynamoEndpoint ? { dynamoEndpoint } : {}),
    tickEveryMs: 1000,
    ...(inMemory ? {} : { dataDir: DATA_DIR }),
    ...(process.env.WSO_ADMIN_KEY ? { adminKey: process.env.WSO_ADMIN_KEY } : {}),
    ...(process.env.WSO_OIDC_PORT ? { oidcPort: Number(process.env.WSO_OIDC_PORT) } : {}),
  });
  const person = runtime.oidc.accounts[0];

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (DynamoDB Local, servers)…`);
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  console.log(
    [
      '',
      'WSO Custody Platform: local runtime ready',
      `  API:              ${runtime.url}/v1   (try: curl ${runtime.url}/v1/health)`,
      `  Platform admin:   ${runtime.adminKey}`,
      `  Virtual clock:    ${runtime.url}/_local/clock   (POST {"advanceBy":"PT48H"})`,
      `  Data:             ${dataLine(inMemory, dynamoEndpoint)}`,
      '',
      `  Sign in (pages):  ${runtime.url}/v1/sign-in   (local OpenID provider at ${runtime.oidc.issuer})`,
      ...(person
        ? [
            `  Demo person:      ${person.login} / ${person.password}   (${person.name})`,
            `    second factor:  TOTP secret ${person.totpSecret} (any authenticator app; code now: ${totpOf(person).generate()})`,
            `    access:         \`npm run demo\` maps the demo people (${runtime.oidc.accounts.map((a) => a.login).join(', ')})`,
          ]
        : []),
      '  MFA: the local provider asks for a TOTP code; in AWS, Cognito enforces MFA (TOTP required).',
      '',
    ].join('\n'),
  );
}

function dataLine(inMemory: boolean, dynamoEndpoint: string | undefined): string {
  if (dynamoEndpoint)
    return `DynamoDB at ${dynamoEndpoint}; key and clock in ${inMemory ? 'memory' : `${DATA_DIR}/`}`;
  return inMemory ? 'in memory (lost on exit)' : `${DATA_DIR}/ (kept across restarts)`;
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
