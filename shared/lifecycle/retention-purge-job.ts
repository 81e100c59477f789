import type { AppDeps } from '../app-deps.ts';
import type { AuditContext } from '../audit/tenant-audit.ts';
import type { DailyJob } from '../jobs/daily-job.ts';
import { releasedBookingsBefore, tenantsWithRetention } from '../store/lifecycle-index.ts';
import { toIsoSeconds } from '../util/time.ts';
import { removePersonData, removePersonDataCopies } from './person-data-removal.ts';

const DAY_MS = 86_400_000;

/**
 * How much one run does at most. A run stays well inside the function's 15 minutes (each booking
 * is one transaction of a few ms); what is left waits for the next run, where it is found first
 * (the listing is oldest release first and purged bookings leave it).
 */
export interface PurgeLimits {
  /** Bookings per index page (and per idempotency-copies Query). */
  pageSize: number;
  /** Bookings purged per county per run, so one county's backlog never starves the others. */
  perTenant: number;
  /** Bookings purged per run, all counties together. */
  perRun: number;
}

export const PURGE_LIMITS: PurgeLimits = { pageSize: 100, perTenant: 1_000, perRun: 10_000 };

const PURGE_AUDIT: AuditContext = { actor: { kind: 'system', name: 'retention-purge' } };

/**
 * The retention purge (issue 17 item 3): for every county with `retention.personDataDaysAfterRelease`,
 * removes the person data of bookings released (or transferred to ICE) longer ago than that, through
 * the same code path as a seal (person-data-removal.ts), marking each `purged:{at, ...}`. Counties
 * come from the lifecycle index's retention listing and bookings from its release listing: Queries
 * only, never a Scan. Idempotent: a purged booking leaves the listing, and one found again (the
 * index is eventually consistent) is left as it is. Returns counts for the run's log and metric
 * (`DailyJobCounts`, counter `purged`).
 */
export async function purgeExpiredPersonData(
  deps: AppDeps,
  now: Date,
  limits: PurgeLimits = PURGE_LIMITS,
): Promise<Record<string, number>> {
  const at = toIsoSeconds(now);
  const counts = { tenants: 0, purged: 0, alreadyGone: 0, copiesDeleted: 0, capped: 0 };
  let tenantsKey: Record<string, unknown> | undefined;
  do {
    const tenants = await tenantsWithRetention(deps.db, limits.pageSize, tenantsKey);
    for (const { tenantId, personDataDaysAfterRelease: days } of tenants.items) {
      counts.tenants += 1;
      const budget = Math.min(limits.perTenant, limits.perRun - counts.purged);
      if (budget <= 0) {
        counts.capped = 1;
        return counts;
      }
      const before = toIsoSeconds(new Date(now.getTime() - days * DAY_MS));
      const done = await purgeTenant(deps, tenantId, before, { at, days, budget, pageSize: limits.pageSize });
      counts.purged += done.purged;
      counts.alreadyGone += done.alreadyGone;
      counts.copiesDeleted += done.copiesDeleted;
      if (done.capped) counts.capped = 1;
    }
    tenantsKey = tenants.nextKey;
  } while (tenantsKey);
  return counts;
}

async function purgeTenant(
  deps: AppDeps,
  tenantId: string,
  before: string,
  run: { at: string; days: number; budget: number; pageSize: number },
): Promise<{ purged: number; alreadyGone: number; copiesDeleted: number; capped: boolean }> {
  const done = { purged: 0, alreadyGone: 0, copiesDeleted: 0, capped: false };
  let startKey: Record<string, unknown> | undefined;
  do {
    const limit = Math.min(run.pageSize, run.budget - done.purged);
    if (limit <= 0) {
      done.capped = true;
      break;
    }
    const page = await releasedBookingsBefore(deps.db, tenantId, before, limit, startKey);
    // Copies first: a crash after this leaves the booking listed, so the next run repeats both.
    done.copiesDeleted += await removePersonDataCopies(deps.db, tenantId, page.items);
    for (const bookingNumber of page.items) {
      const result = await removePersonData(
        deps,
        tenantId,
        bookingNumber,
        { kind: 'purge', purged: { at: run.at, personDataDaysAfterRelease: run.days } },
        run.at,
        PURGE_AUDIT,
      );
      if (result.kind === 'removed') done.purged += 1;
      else if (result.kind === 'unchanged' || result.kind === 'not-found') done.alreadyGone += 1;
      else {
        // A released booking has no open hold; a conflict means it is busy: the next run retries it.
        deps.logger.warn('retention purge skipped a booking', {
          tenantId,
          bookingNumber,
          reason: result.kind,
        });
      }
    }
    startKey = page.nextKey;
  } while (startKey);
  return done;
}

export const retentionPurgeJob: DailyJob = {
  name: 'retention-purge',
  run: (deps, now) => purgeExpiredPersonData(deps, now),
};
