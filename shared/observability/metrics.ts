/**
 * Custody metrics (DESIGN.md §7, §8), published as CloudWatch embedded metric format (EMF) log lines
 * by Powertools Metrics: no API call, no AWS SDK, nothing to flush at the end of an invocation
 * (every data point is written on its own as a single metric).
 *
 * The port is `CustodyMetrics`; services call `custodyMetrics()` and never see Powertools. In
 * Lambda (AWS_LAMBDA_FUNCTION_NAME set) the sink is Powertools, which also honours
 * POWERTOOLS_METRICS_DISABLED and POWERTOOLS_DEV. Anywhere else (unit tests, `npm start`, the soak)
 * the sink is a no-op, so nothing spams stdout; tests may install a recording sink with
 * `setCustodyMetrics`.
 *
 * Every data point carries one fixed `service` dimension (METRICS_SERVICE) whichever function emits
 * it, so one alarm covers a metric emitted by several functions (HoldsOverdue: timer and sweeper).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'WsoCustody';
/** The value of the `service` dimension on every custody metric (alarms must match it exactly). */
export const METRICS_SERVICE = 'wso-custody';

/** Metric names: also read by infra/ for the alarms and the dashboard. */
export const CUSTODY_METRICS = {
  holdsOpened: 'HoldsOpened',
  /** Dimension TRANSITION_DIMENSION: the status the hold moved to. */
  holdTransitions: 'HoldTransitions',
  /** A hold reached its deadline without transfer or release: THE alarm. */
  holdsOverdue: 'HoldsOverdue',
  /** Steps the sweeper performed itself (a timer was lost, failed or late); 0 on a clean sweep. */
  sweeperCatches: 'SweeperCatches',
  timerLatenessSeconds: 'TimerLatenessSeconds',
  webhookDeliveryFailures: 'WebhookDeliveryFailures',
  /** A revoked or never-handed-out key whose API Gateway key could not be deleted (issue 7). */
  usagePlanKeyCleanupFailures: 'UsagePlanKeyCleanupFailures',
  /** Counties with an audit event waiting more than 5 minutes for a checkpoint (issue 14), per sealer run. */
  staleAuditCounties: 'StaleAuditCounties',
  /** How long the oldest audit event not yet in a checkpoint has waited, per sealer run. */
  oldestUnsealedEventAgeSeconds: 'OldestUnsealedEventAgeSeconds',
  /** What a daily job did (issue 17), per run: dimensions DAILY_JOB_DIMENSION and DAILY_COUNTER_DIMENSION. */
  dailyJobCounts: 'DailyJobCounts',
  /** A daily job threw (dimension DAILY_JOB_DIMENSION); the others still ran. */
  dailyJobFailures: 'DailyJobFailures',
} as const;

export const TRANSITION_DIMENSION = 'toStatus';
export const DAILY_JOB_DIMENSION = 'job';
export const DAILY_COUNTER_DIMENSION = 'counter';

export interface CustodyMetrics {
  holdOpened(): void;
  holdTransition(toStatus: string): void;
  holdOverdue(): void;
  sweeperCatches(count: number): void;
  timerLateness(seconds: number): void;
  webhookDeliveryFailure(): void;
  usagePlanKeyCleanupFailure(): void;
  auditSealBacklog(staleCounties: number, oldestUnsealedAgeSeconds: number): void;
  dailyJobCount(job: string, counter: string, value: number): void;
  dailyJobFailure(job: string): void;
}

export const noopMetrics: CustodyMetrics = {
  holdOpened() {},
  holdTransition() {},
  holdOverdue() {},
  sweeperCatches() {},
  timerLateness() {},
  webhookDeliveryFailure() {},
  usagePlanKeyCleanupFailure() {},
  auditSealBacklog() {},
  dailyJobCount() {},
  dailyJobFailure() {},
};

/** Powertools EMF sink: each call writes one EMF line immediately (single metric). */
export function powertoolsMetrics(): CustodyMetrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  const emit = (
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions: Record<string, string> = {},
  ) => {
    try {
      const single = metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
      single.addMetric(name, unit, value);
    } catch {
      // A metric must never fail the custody operation that emitted it.
    }
  };
  return {
    holdOpened: () => emit(CUSTODY_METRICS.holdsOpened, MetricUnit.Count, 1),
    holdTransition: (toStatus) =>
      emit(CUSTODY_METRICS.holdTransitions, MetricUnit.Count, 1, { [TRANSITION_DIMENSION]: toStatus }),
    holdOverdue: () => emit(CUSTODY_METRICS.holdsOverdue, MetricUnit.Count, 1),
    sweeperCatches: (count) => emit(CUSTODY_METRICS.sweeperCatches, MetricUnit.Count, count),
    timerLateness: (seconds) =>
      emit(CUSTODY_METRICS.timerLatenessSeconds, MetricUnit.Seconds, Math.max(0, seconds)),
    webhookDeliveryFailure: () => emit(CUSTODY_METRICS.webhookDeliveryFailures, MetricUnit.Count, 1),
    usagePlanKeyCleanupFailure: () => emit(CUSTODY_METRICS.usagePlanKeyCleanupFailures, MetricUnit.Count, 1),
    auditSealBacklog: (staleCounties, oldestUnsealedAgeSeconds) => {
      emit(CUSTODY_METRICS.staleAuditCounties, MetricUnit.Count, staleCounties);
      emit(CUSTODY_METRICS.oldestUnsealedEventAgeSeconds, MetricUnit.Seconds, oldestUnsealedAgeSeconds);
    },
    dailyJobCount: (job, counter, value) =>
      emit(CUSTODY_METRICS.dailyJobCounts, MetricUnit.Count, value, {
        [DAILY_JOB_DIMENSION]: job,
        [DAILY_COUNTER_DIMENSION]: counter,
      }),
    dailyJobFailure: (job) =>
      emit(CUSTODY_METRICS.dailyJobFailures, MetricUnit.Count, 1, { [DAILY_JOB_DIMENSION]: job }),
  };
}

let current: CustodyMetrics | undefined;

/** The process-wide sink: Powertools inside Lambda, a no-op elsewhere (unless one was installed). */
export function custodyMetrics(): CustodyMetrics {
  current ??= process.env.AWS_LAMBDA_FUNCTION_NAME ? powertoolsMetrics() : noopMetrics;
  return current;
}

/** Installs a sink (tests: a recorder; the local runtime could log). Returns the previous one. */
export function setCustodyMetrics(sink: CustodyMetrics | undefined): CustodyMetrics | undefined {
  const previous = current;
  current = sink;
  return previous;
}
