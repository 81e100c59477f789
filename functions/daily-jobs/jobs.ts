import { credentialExpiryNotices } from '../../shared/jobs/credential-expiry.ts';
import type { DailyJob } from '../../shared/jobs/daily-job.ts';

/**
 * Every daily job, one line each, run in this order by functions/daily-jobs/app.ts (the Lambda on
 * its daily schedule, and the local runtime on the virtual clock).
 */
export const DAILY_JOBS: readonly DailyJob[] = [credentialExpiryNotices];
