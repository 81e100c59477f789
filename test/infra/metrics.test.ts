import { afterEach, describe, expect, it, vi } from 'vitest';
import { custodyMetric } from '../../infra/stacks/observability-stack.ts';
import {
  CUSTODY_METRICS,
  custodyMetrics,
  METRICS_SERVICE,
  noopMetrics,
  powertoolsMetrics,
  setCustodyMetrics,
  TRANSITION_DIMENSION,
} from '../../shared/observability/metrics.ts';

/**
 * The contract between what the functions emit (EMF lines from Powertools) and what the alarms and
 * the dashboard read: same namespace, metric name and exactly the same dimensions, or an alarm
 * watches a metric that never gets data.
 */
interface EmfLine {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
  [key: string]: unknown;
}

function captureEmf(emit: () => void): EmfLine[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  try {
    emit();
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('_aws'))
    .map((line) => JSON.parse(line) as EmfLine);
}

const envBefore = { ...process.env };
afterEach(() => {
  process.env = { ...envBefore };
  setCustodyMetrics(undefined);
});

describe('custody metrics (EMF) against the alarms', () => {
  it.each([
    ['holdOverdue', CUSTODY_METRICS.holdsOverdue, {}],
    ['holdOpened', CUSTODY_METRICS.holdsOpened, {}],
    ['sweeperCatches', CUSTODY_METRICS.sweeperCatches, {}],
    ['webhookDeliveryFailure', CUSTODY_METRICS.webhookDeliveryFailures, {}],
    ['holdTransition', CUSTODY_METRICS.holdTransitions, { [TRANSITION_DIMENSION]: 'OVERDUE' }],
    ['usagePlanKeyCleanupFailure', CUSTODY_METRICS.usagePlanKeyCleanupFailures, {}],
  ] as const)('%s is published where the infra metric looks', (method, metricName, dimensions) => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const sink = powertoolsMetrics();
    const [line, ...more] = captureEmf(() =>
      method === 'holdTransition'
        ? sink.holdTransition('OVERDUE')
        : method === 'sweeperCatches'
          ? sink.sweeperCatches(2)
          : sink[method](),
    );
    expect(more).toEqual([]);
    const expected = custodyMetric(metricName, { dimensions }).toMetricConfig().metricStat!;
    const directive = line!._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe(expected.namespace);
    expect(directive.Metrics.map((m) => m.Name)).toEqual([metricName]);
    const wanted = Object.fromEntries((expected.dimensions ?? []).map((d) => [d.name, String(d.value)]));
    expect(directive.Dimensions.flat().sort()).toEqual(Object.keys(wanted).sort());
    for (const [name, value] of Object.entries(wanted)) expect(line![name]).toBe(value);
    expect(line![metricName]).toBe(method === 'sweeperCatches' ? 2 : 1);
  });

  it('auditSealBacklog publishes StaleAuditCounties and OldestUnsealedEventAgeSeconds (issue 14)', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const lines = captureEmf(() => powertoolsMetrics().auditSealBacklog(2, 370));
    const published = lines.map((line) => {
      const directive = line._aws.CloudWatchMetrics[0]!;
      const name = directive.Metrics[0]!.Name;
      return { namespace: directive.Namespace, name, value: line[name], service: line.service };
    });
    const expected = custodyMetric(CUSTODY_METRICS.staleAuditCounties).toMetricConfig().metricStat!;
    expect(published).toEqual([
      {
        namespace: expected.namespace,
        name: CUSTODY_METRICS.staleAuditCounties,
        value: 2,
        service: METRICS_SERVICE,
      },
      {
        namespace: expected.namespace,
        name: CUSTODY_METRICS.oldestUnsealedEventAgeSeconds,
        value: 370,
        service: METRICS_SERVICE,
      },
    ]);
  });

  it('is a no-op outside Lambda (tests, npm start): nothing on stdout', () => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    setCustodyMetrics(undefined);
    expect(custodyMetrics()).toBe(noopMetrics);
    expect(captureEmf(() => custodyMetrics().holdOverdue())).toEqual([]);
  });

  it('respects POWERTOOLS_METRICS_DISABLED inside Lambda', () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'wso-custody-dev-hold-timer';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    setCustodyMetrics(undefined);
    expect(custodyMetrics()).not.toBe(noopMetrics);
    expect(captureEmf(() => custodyMetrics().holdOverdue())).toEqual([]);
  });
});
