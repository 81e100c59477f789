import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { createApi } from '../functions/api/app.ts';
import { createDailyJobs } from '../functions/daily-jobs/app.ts';
import { createHoldTimerHandler } from '../functions/hold-timer/app.ts';
import { createStreamHandler } from '../functions/stream/app.ts';
import { streamConsumers } from '../functions/stream/consumers.ts';
import { createSweeper } from '../functions/sweeper/app.ts';
import type { AppDeps } from '../shared/app-deps.ts';
import { LocalSealer } from '../shared/audit/local-audit.ts';
import { installPlatformAdminKey } from '../shared/auth/api-keys.ts';
import { InMemoryUsagePlanKeys } from '../shared/auth/usage-plan-keys.ts';
import { VirtualClock } from '../shared/clock.ts';
import { ProblemError } from '../shared/http/problem.ts';
import { randomSecret, ulidGenerator } from '../shared/ids.ts';
import { createLogger } from '../shared/runtime/logger.ts';
import { createSignIn } from '../shared/sessions/sign-in.ts';
import { createDb, DYNAMODB_MAX_ATTEMPTS, dynamoClientConfig } from '../shared/store/db.ts';
import { TABLE_DEFAULT_NAME } from '../shared/store/table-definition.ts';
import { LocalSecretBox, localMasterKey } from '../shared/webhooks/local-secret-box.ts';
import type { WebhookSettings } from '../shared/webhooks/settings.ts';
import { localContext, toApiGatewayEvent, writeResult } from './apigw-event.ts';
import { CLOCK_LEASE_MS, ClockFile, resumeAt } from './clock-file.ts';
import { type ClockDriver, handleClockRequest } from './clock-routes.ts';
import { localDailyRuns } from './daily-runs.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import {
  closeServer,
  createBufferedServer,
  listen,
  type RequestListener,
  sendJson,
  sendProblem,
} from './http-server.ts';
import { LocalTenantDb } from './local-tenant-db.ts';
import { LocalTimers, openHoldShards } from './local-timers.ts';
import { loadAccounts } from './oidc/demo-people.ts';
import { type LocalOidc, startLocalOidc } from './oidc/provider.ts';
import { LocalStreamPoller } from './stream-poller.ts';
import { ensureTable } from './table.ts';
import type { LocalDeliveryQueue } from './webhooks/local-delivery-queue.ts';
import { createLocalWebhooks } from './webhooks/local-webhooks.ts';
import { pendingDeliveries } from './webhooks/pending-deliveries.ts';

export interface LocalRuntimeOptions {
  port?: number;
  host?: string;
  /** Use an already running DynamoDB (Local): tests, WSO_DYNAMODB_ENDPOINT; otherwise one is started. */
  dynamoEndpoint?: string;
  /**
   * Where DynamoDB Local keeps its files, the generated admin key and the virtual clock (when the
   * runtime makes its own clock); undefined means in memory.
   */
  dataDir?: string;
  tableName?: string;
  /** A platform-admin key to install; otherwise one is generated (and kept in dataDir). */
  adminKey?: string;
  clock?: VirtualClock;
  /** Fire due timers every this many real milliseconds (npm start); tests drive the clock instead. */
  tickEveryMs?: number;
  /** Webhook delivery tuning (tests use a short request timeout). */
  webhooks?: Partial<WebhookSettings>;
  /** Port of the embedded OpenID provider people sign in at (default: any free port). */
  oidcPort?: number;
}

export interface LocalRuntime {
  url: string;
  adminKey: string;
  clock: VirtualClock;
  deps: AppDeps;
  timers: LocalTimers;
  /** Hands every change written so far to the stream consumers (webhooks, report counters). */
  drainStreams: () => Promise<number>;
  /** Webhook deliveries on the virtual clock; they run on their own and never hold the clock back. */
  deliveries: LocalDeliveryQueue;
  /** The tenant-scoped storage tenant keys use, one client per tenant with the role's policy emulated. */
  tenantDb: LocalTenantDb;
  /** The usage plan's API Gateway keys as key issuance registered them (no API Gateway runs locally). */
  usagePlanKeys: InMemoryUsagePlanKeys;
  /** Moves the virtual clock, firing due timers on the way (what POST /_local/clock does). */
  moveClock: ClockDriver;
  /**
   * `moveClock`, then waits until every webhook attempt due by then has been made (tests: a
   * receiver's answers are known when it returns).
   */
  advanceTo: ClockDriver;
  /** Seals audit events into signed checkpoints on the virtual clock (key and archive beside the data). */
  sealer: LocalSealer;
  /** The embedded OpenID provider (stands in for Cognito) and its demo people's credentials. */
  oidc: LocalOidc;
  stop(): Promise<void>;
}

export const MIN_ADMIN_KEY_LENGTH = 24;

const STARTING = new ProblemError(
  503,
  'starting',
  'Starting',
  'The local runtime is starting; retry shortly.',
);

/**
 * The whole system on one machine: DynamoDB Local, the table, the virtual clock, and an HTTP server
 * that feeds API Gateway events to the same handler the API Lambda runs.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  // Bind the port first: a taken port fails in milliseconds, before Java starts.
  let serve: RequestListener = async (request, _body, response) =>
    sendProblem(response, STARTING, request.url);
  const server = createBufferedServer((request, body, response) => serve(request, body, response));
  try {
    const host = options.host ?? '127.0.0.1';
    const port = await listen(server, options.port ?? 0, host);
    cleanups.push(() => closeServer(server));
    let endpoint = options.dynamoEndpoint;
    if (!endpoint) {
      const dynamo = await startDynamoDbLocal(
        options.dataDir ? { dataDir: join(options.dataDir, 'dynamodb') } : {},
      );
      cleanups.push(dynamo.stop);
      endpoint = dynamo.endpoint;
    }
    const tableName = options.tableName ?? TABLE_DEFAULT_NAME;
    const clientConfig = () => ({
      ...dynamoClientConfig({ endpoint }),
      // Same attempts as in AWS, but no real-time backoff or client-side rate limiting: local
      // time is virtual, and injected throttles must not slow a soak down in wall-clock time.
      retryStrategy: new ConfiguredRetryStrategy(DYNAMODB_MAX_ATTEMPTS, () => 0),
    });
    const client = new DynamoDBClient(clientConfig());
    cleanups.push(async () => client.destroy());
    await ensureTable(client, tableName);

    // A clock of its own is kept with the data, so it never runs backwards across a restart.
    const clockFile = !options.clock && options.dataDir ? new ClockFile(options.dataDir) : undefined;
    const clock =
      options.clock ?? new VirtualClock({ ticking: true, start: resumeAt(clockFile?.load(), new Date()) });
    const saveClock = (at: Date, final = false) => clockFile?.save(at, final);
    // Written ahead (a lease), so a SIGKILL never loses a moment the clock has already shown.
    saveClock(new Date(clock.now().getTime() + CLOCK_LEASE_MS));
    cleanups.push(async () => saveClock(clock.now(), true));
    const localTimers = await LocalTimers.start(clock);
    cleanups.push(() => localTimers.stop());
    const usagePlanKeys = new InMemoryUsagePlanKeys();
    const webhooks = createLocalWebhooks(clock, options.webhooks);
    cleanups.push(() => webhooks.queue.stop());
    const db = createDb({ tableName, client });
    // Tenant keys get a client that refuses what the tenant-data role's policy would (AccessDenied).
    const tenantDb = new LocalTenantDb(clientConfig, db);
    const sealer = new LocalSealer({ db, clock, dataDir: options.dataDir });
    cleanups.push(() => sealer.close());
    const url = `http://${host}:${port}`;
    // People sign in to the pages at the embedded provider (issue 18); http, so no Secure cookies.
    const oidc = await startLocalOidc({
      host,
      ...(options.oidcPort !== undefined ? { port: options.oidcPort } : {}),
      redirectUri: `${url}/v1/sign-in/callback`,
      accounts: loadAccounts(options.dataDir),
    });
    cleanups.push(oidc.stop);
    const deps: AppDeps = {
      db,
      tenantDb,
      clock,
      ids: ulidGenerator(clock),
      logger: createLogger('wso-local'),
      config: { stage: 'local', local: true },
      timers: localTimers.timers,
      deliveries: webhooks.queue,
      usagePlanKeys,
      // Webhook secrets sealed per tenant under a master key kept beside the data (issue 19 item 8).
      webhookSecrets: new LocalSecretBox(
        localMasterKey(options.dataDir ? join(options.dataDir, 'webhook-secrets.key') : undefined),
      ),
      audit: sealer.ports,
      signIn: createSignIn({
        issuer: oidc.issuer,
        clientId: oidc.clientId,
        baseUrl: url,
        cookies: { secure: false },
        allowHttp: true,
      }),
    };
    webhooks.attach(deps);
    const streamPoller = new LocalStreamPoller({
      endpoint,
      table: client,
      tableName,
      handler: createStreamHandler(deps, streamConsumers),
      observe: (records) => {
        localTimers.openHoldsChanged(openHoldShards(records));
        sealer.observe(records);
      },
    });
    cleanups.push(async () => streamPoller.stop());
    const drainStreams = () => streamPoller.drain();
    localTimers.attach(deps, {
      holdTimer: createHoldTimerHandler(deps),
      sweep: createSweeper(deps),
      daily: localDailyRuns(options.dataDir, clock, createDailyJobs(deps)),
      // Outbox records become deliveries at this step's virtual time; the queue sends them on its
      // own, so no receiver (however slow) ever holds back a timer.
      afterStep: async () => {
        await drainStreams();
        webhooks.queue.kick();
        await sealer.sealDue();
      },
      beforeAdvance: drainStreams,
    });
    // Deliveries left unsettled by an earlier run (stopped or killed) are retried, at their due time.
    for (const pending of await pendingDeliveries(db)) webhooks.queue.restore(pending.message, pending.dueAt);
    webhooks.queue.kick();
    const adminKey = options.adminKey ?? persistentAdminKey(options.dataDir);
    if (adminKey.length < MIN_ADMIN_KEY_LENGTH) {
      throw new Error(`the admin key must be at least ${MIN_ADMIN_KEY_LENGTH} characters`);
    }
    await installPlatformAdminKey(deps, adminKey);

    const moveClock: ClockDriver = async (target) => {
      saveClock(new Date(Math.max(target.getTime(), clock.now().getTime()) + CLOCK_LEASE_MS));
      await localTimers.advanceTo(target);
    };
    const advanceTo: ClockDriver = async (target) => {
      await moveClock(target);
      await webhooks.queue.settled();
    };
    // A daily run time passed while the runtime was stopped: the daily jobs run once, now.
    if (localTimers.dailyRunDue()) await moveClock(clock.now());
    if (options.tickEveryMs) {
      // A ticking clock: fire what real time made due, as Scheduler and the sweeper would. A tick
      // still running (a burst of timers) is not queued behind by more ticks.
      let ticking = false;
      const ticker = setInterval(() => {
        webhooks.queue.kick();
        if (ticking) return;
        ticking = true;
        moveClock(clock.now())
          .catch(() => undefined)
          .finally(() => {
            ticking = false;
          });
      }, options.tickEveryMs);
      ticker.unref();
      cleanups.push(async () => clearInterval(ticker));
    }
    serve = apiListener(deps, clock, moveClock);
    return {
      url,
      oidc,
      adminKey,
      clock,
      deps,
      timers: localTimers,
      drainStreams,
      deliveries: webhooks.queue,
      usagePlanKeys,
      tenantDb,
      moveClock,
      advanceTo,
      sealer,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function apiListener(deps: AppDeps, clock: VirtualClock, advanceTo: ClockDriver): RequestListener {
  const api = createApi(deps);
  return async (request, body, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/_local/clock') {
      const result = await handleClockRequest(request.method ?? 'GET', body, clock, advanceTo);
      const type = result.status >= 400 ? 'application/problem+json' : 'application/json';
      sendJson(response, result.status, result.body, type);
      return;
    }
    const result = await api(toApiGatewayEvent(request, body), localContext('wso-api-local'));
    writeResult(response, result);
  };
}

/** A generated admin key survives restarts with the data it guards; an in-memory run gets a fresh one. */
function persistentAdminKey(dataDir: string | undefined): string {
  if (!dataDir) return `wso_admin_${randomSecret(24)}`;
  const file = join(dataDir, 'admin-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = `wso_admin_${randomSecret(24)}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
