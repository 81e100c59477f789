import type { AppDeps } from '../app-deps.ts';
import { utcDate } from '../domain/service-rules.ts';
import {
  type CredentialNotice,
  credentialNoticeIntents,
  credentialNoticeKey,
  credentialsExpiringOn,
  type ExpiringCredential,
  existingNoticeMarkers,
} from '../store/credential-notices.ts';
import { TransactionRefused, UnitOfWork } from '../store/unit-of-work.ts';
import { toIsoSeconds } from '../util/time.ts';
import type { DailyJob } from './daily-job.ts';

/** The notices before a credential's last valid day (API.md: 30, 7 and 1 days before). */
export const CREDENTIAL_NOTICE_DAYS = [30, 7, 1] as const;
const FURTHEST_NOTICE = Math.max(...CREDENTIAL_NOTICE_DAYS);
/** Officers notified at once: enough to finish a national day in seconds, few enough not to throttle. */
const CONCURRENCY = 8;

const DAY_MS = 86_400_000;

/**
 * The notice due with `daysLeft` days until a credential's last valid day: the nearest notice not
 * later than it (30 for 8 to 30 days left, 7 for 2 to 7, 1 for 1). So when daily runs were missed
 * (a stopped local runtime, a failed day in AWS), the officer gets the one notice the date has
 * reached, never the earlier ones it skipped; the marker of that notice keeps it to one. No notice
 * on or after the last valid day: then the credential no longer gives warning, it expires.
 */
export function noticeDue(daysLeft: number): number | undefined {
  if (daysLeft < 1) return undefined;
  const due = CREDENTIAL_NOTICE_DAYS.filter((days) => daysLeft <= days);
  return due.length === 0 ? undefined : Math.min(...due);
}

/** Whole days from `today` to `day` (both YYYY-MM-DD, UTC). */
const daysBetween = (today: string, day: string): number =>
  Math.round((Date.parse(day) - Date.parse(today)) / DAY_MS);

/**
 * The daily job: for every credentialed officer of every county whose credential's last valid day
 * is 1 to 30 days away (one index Query per day, no Scan), the notice due, once: the marker, the
 * outbox record and a check that the officer still holds that credential are one transaction, so a
 * second run, a retry or a restart never sends it twice. A renewed credential has another expiry
 * date, so its notices are its own. Each notice goes to the officer's own county only (the outbox
 * record is in that county's partition and its consumer reads only that county's subscriptions).
 */
export const credentialExpiryNotices: DailyJob = {
  name: 'credential-expiry-notices',
  async run(deps: AppDeps, now: Date): Promise<Record<string, number>> {
    const today = utcDate(now);
    const days = Array.from({ length: FURTHEST_NOTICE }, (_, index) =>
      utcDate(new Date(Date.parse(today) + (index + 1) * DAY_MS)),
    );
    const candidates = (await Promise.all(days.map((day) => credentialsExpiringOn(deps.db, day))))
      .flat()
      .filter((officer) => officer.status === 'CREDENTIALED');
    const due = candidates.flatMap((officer) => {
      const daysLeft = daysBetween(today, officer.expiresOn);
      const daysBefore = noticeDue(daysLeft);
      return daysBefore === undefined ? [] : [{ officer, daysLeft, daysBefore }];
    });
    const sent = await existingNoticeMarkers(
      deps.db,
      due.map(({ officer, daysBefore }) =>
        credentialNoticeKey(officer.tenantId, officer.officerId, officer.expiresOn, daysBefore),
      ),
    );
    const pending = due.filter((_, index) => !sent.has(index));
    const counts = { checked: candidates.length, sent: 0, alreadySent: sent.size, skipped: 0, failed: 0 };
    let next = 0;
    const worker = async () => {
      for (let item = pending[next++]; item; item = pending[next++]) {
        const outcome = await sendNotice(deps, item.officer, item.daysBefore, item.daysLeft, now);
        counts[outcome]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, pending.length) }, worker));
    return counts;
  },
};

async function sendNotice(
  deps: AppDeps,
  officer: ExpiringCredential,
  daysBefore: number,
  daysLeft: number,
  now: Date,
): Promise<'sent' | 'alreadySent' | 'skipped' | 'failed'> {
  const notice: CredentialNotice = {
    tenantId: officer.tenantId,
    officerId: officer.officerId,
    credentialNumber: officer.credentialNumber,
    expiresOn: officer.expiresOn,
    daysBefore,
    daysLeft,
    eventId: deps.ids.next(),
    occurredAt: toIsoSeconds(now),
  };
  const table = deps.db.tableName;
  try {
    await new UnitOfWork(deps.db)
      .add(
        credentialNoticeIntents.stillHeld(table, notice),
        credentialNoticeIntents.markSent(table, notice),
        credentialNoticeIntents.emit(table, notice),
      )
      .commit();
    return 'sent';
  } catch (error) {
    if (error instanceof TransactionRefused && error.by('credential-notices')) return 'alreadySent';
    // Renewed or suspended since the index was read: the next run sees the officer as it is now.
    if (error instanceof TransactionRefused && error.by('officers')) return 'skipped';
    // One officer's failure must not stop the others' notices; the next run tries again.
    deps.logger.error('credential expiry notice failed', {
      tenantId: officer.tenantId,
      officerId: officer.officerId,
      error: error instanceof Error ? error.message : String(error),
    });
    return 'failed';
  }
}
