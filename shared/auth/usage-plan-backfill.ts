import { US_STATES } from '../schemas/common.ts';
import {
  keysWithoutUsagePlanKey,
  recordUsagePlanKey,
  tenantIdsOfState,
} from '../store/api-key-usage-plan.ts';
import { type ApiKeyItem, readKeyPointer } from '../store/api-keys.ts';
import type { Db } from '../store/db.ts';
import { keys, tenantPk } from '../store/keys.ts';
import type { UsagePlanKeys } from './usage-plan-keys.ts';

/**
 * Registers with the usage plan every live key issued before usage-plan keys existed (issue 17
 * item 5), so that a deployment can switch `apiKeyRequired` on without locking those callers out.
 * Possible without any secret: the usage-plan key's value is the key's SHA-256 hash, which is
 * exactly what our key items store (usage-plan-keys.ts). Revoked keys are left alone.
 *
 * Idempotent: a key gets `apiGatewayKeyId` on its items once registered, and only keys without it
 * are read, so a second run registers nothing. A run stopped between API Gateway and the table
 * leaves a key whose value API Gateway already has: the next run adopts it instead of failing.
 *
 * Reads: the platform's and each state's key pointers, and each tenant's, found through the
 * `byState` index state by state: single-partition Queries, paged, no Scan.
 */
export interface BackfillDeps {
  db: Db;
  usagePlanKeys: UsagePlanKeys;
}

export interface BackfillOptions {
  /** List what would be registered; register and write nothing. */
  dryRun: boolean;
  /** Called between registrations: API Gateway allows 5 CreateApiKey calls per second per account. */
  pace?: () => Promise<void>;
  /** Each key as it is handled, for the operator's console. */
  onKey?: (line: BackfillLine) => void;
}

export interface BackfillLine {
  keyId: string;
  owner: string;
  role: string;
  outcome: 'would-register' | 'registered' | 'adopted' | 'raced' | 'failed';
  detail?: string;
}

export interface BackfillReport {
  owners: number;
  lines: BackfillLine[];
}

export async function backfillUsagePlanKeys(
  deps: BackfillDeps,
  options: BackfillOptions,
): Promise<BackfillReport> {
  const report: BackfillReport = { owners: 0, lines: [] };
  for await (const owner of keyOwners(deps.db)) {
    report.owners += 1;
    for await (const page of keysWithoutUsagePlanKey(deps.db, owner)) {
      for (const key of page) {
        const line = { keyId: key.keyId, owner, role: key.role, ...(await backfillKey(deps, key, options)) };
        report.lines.push(line);
        options.onKey?.(line);
      }
    }
  }
  return report;
}

/** Every partition that can own keys: the platform, each state, each tenant of each state. */
async function* keyOwners(db: Db): AsyncGenerator<string> {
  yield keys.platformPk;
  for (const state of US_STATES) yield keys.statePk(state);
  for (const state of US_STATES) {
    for await (const tenantIds of tenantIdsOfState(db, state)) {
      for (const tenantId of tenantIds) yield tenantPk(tenantId);
    }
  }
}

async function backfillKey(
  deps: BackfillDeps,
  key: ApiKeyItem,
  options: BackfillOptions,
): Promise<Pick<BackfillLine, 'outcome' | 'detail'>> {
  if (options.dryRun) return { outcome: 'would-register' };
  await options.pace?.();
  let apiGatewayKeyId: string;
  let outcome: 'registered' | 'adopted' = 'registered';
  try {
    apiGatewayKeyId = await deps.usagePlanKeys.register(key.keyId, key.hash);
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'ConflictException') return failed(error);
    // API Gateway has the value already: an earlier run made the key and stopped before recording it.
    const adopted = await deps.usagePlanKeys.adopt(key.keyId, key.hash).catch((cause: unknown) => cause);
    if (typeof adopted !== 'string') {
      return adopted === undefined
        ? { outcome: 'failed', detail: 'API Gateway has a key with this value under another name' }
        : failed(adopted);
    }
    apiGatewayKeyId = adopted;
    outcome = 'adopted';
  }
  if (await recordUsagePlanKey(deps.db, key, apiGatewayKeyId)) return { outcome };
  // Revoked, or recorded by a run alongside, meanwhile. That run may have recorded this very
  // usage-plan key (it adopted ours): then it stays; otherwise it is nobody's and goes.
  const now = await readKeyPointer(deps.db, key.scope, key.keyId);
  if (now?.apiGatewayKeyId === apiGatewayKeyId) {
    return { outcome: 'raced', detail: 'recorded by another run meanwhile' };
  }
  await deps.usagePlanKeys.remove(apiGatewayKeyId);
  return { outcome: 'raced', detail: 'revoked meanwhile; its usage-plan key was removed again' };
}

const failed = (error: unknown): Pick<BackfillLine, 'outcome' | 'detail'> => ({
  outcome: 'failed',
  detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
});
