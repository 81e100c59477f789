import { describe, expect, it } from 'vitest';
import {
  STREAM_SOURCE,
  WEBHOOK_BATCH_SIZE,
  WEBHOOK_MAX_CONCURRENCY,
  WEBHOOK_MAX_RECEIVE_COUNT,
} from '../../infra/stacks/events-stack.ts';
import { DEFAULT_WEBHOOK_SETTINGS } from '../../shared/webhooks/settings.ts';
import { synthesize } from './support/synth.ts';
import {
  asArray,
  type CfnResource,
  props,
  render,
  resourcesOfType,
  statementsOfRole,
} from './support/template-helpers.ts';

const { templates, names } = synthesize();
const events = templates.events;
const api = templates.api;

function functionNamed(template: typeof events, name: string): [string, CfnResource] {
  const found = Object.entries(resourcesOfType(template, 'AWS::Lambda::Function')).find(
    ([, r]) => props(r).FunctionName === name,
  );
  if (found === undefined) throw new Error(`no function ${name}`);
  return found;
}

function queueNamed(name: string): [string, CfnResource] {
  const found = Object.entries(resourcesOfType(events, 'AWS::SQS::Queue')).find(
    ([, r]) => props(r).QueueName === name,
  );
  if (found === undefined) throw new Error(`no queue ${name}`);
  return found;
}

function mappingOf(functionId: string): Record<string, unknown> {
  const found = Object.values(resourcesOfType(events, 'AWS::Lambda::EventSourceMapping')).filter(
    (m) => render(props(m).FunctionName) === `\${${functionId}}`,
  );
  expect(found).toHaveLength(1);
  return props(found[0]!);
}

const roleIdOf = (fn: CfnResource): string => render(props(fn).Role).replace(/^\$\{(.+)\.Arn\}$/, '$1');

function sqsActionsOn(template: typeof events, roleId: string, queueId: string): string[] {
  return statementsOfRole(template, roleId)
    .filter((s) => s.Effect === 'Allow')
    .filter((s) =>
      asArray(s.Resource)
        .map(render)
        .some((r) => r.includes(queueId)),
    )
    .flatMap((s) => asArray(s.Action))
    .sort();
}

const [streamId, stream] = functionNamed(events, names.streamFunction);
const [senderId, sender] = functionNamed(events, names.webhookSenderFunction);
const [webhookQueueId, webhookQueue] = queueNamed(names.webhookQueue);
const [webhookDlqId, webhookDlq] = queueNamed(names.webhookDlq);
const [streamFailuresId, streamFailures] = queueNamed(names.streamFailureQueue);

describe('stream function', () => {
  it('runs functions/stream/handler.ts as a platform function', () => {
    expect(props(stream)).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });

  it('reads the table stream from the trim horizon, 100 records a batch, reporting item failures', () => {
    const mapping = mappingOf(streamId);
    expect(render(mapping.EventSourceArn)).toMatch(/StreamArn/);
    expect(mapping).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: STREAM_SOURCE.retryAttempts,
      MaximumRecordAgeInSeconds: STREAM_SOURCE.maxRecordAge.toSeconds(),
    });
    expect(STREAM_SOURCE.retryAttempts).toBeGreaterThan(0);
    expect(STREAM_SOURCE.retryAttempts).toBeLessThanOrEqual(100);
  });

  it('sends batches that failed every retry to its encrypted failure queue', () => {
    const mapping = mappingOf(streamId) as { DestinationConfig: { OnFailure: { Destination: unknown } } };
    expect(render(mapping.DestinationConfig.OnFailure.Destination)).toBe(`\${${streamFailuresId}.Arn}`);
    expect(props(streamFailures).KmsMasterKeyId).toBeDefined();
    expect(props(streamFailures).MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(streamFailures.DeletionPolicy).toBe('Retain');
    expect(sqsActionsOn(events, roleIdOf(stream), streamFailuresId)).toContain('sqs:SendMessage');
  });

  it('may send webhook deliveries', () => {
    expect(sqsActionsOn(events, roleIdOf(stream), webhookQueueId)).toContain('sqs:SendMessage');
  });

  it('has no Scheduler rights (its deps only need the settings)', () => {
    const actions = statementsOfRole(events, roleIdOf(stream)).flatMap((s) => asArray(s.Action));
    expect(actions.filter((a) => a.startsWith('scheduler:') || a === 'iam:PassRole')).toEqual([]);
  });
});

describe('webhook delivery queue', () => {
  it('is encrypted with a customer-managed key and only reachable over TLS', () => {
    for (const queue of [webhookQueue, webhookDlq]) {
      expect(render(props(queue).KmsMasterKeyId)).toMatch(/MessagingKey.*\.Arn/);
    }
    const policies = Object.values(resourcesOfType(events, 'AWS::SQS::QueuePolicy'));
    for (const queueId of [webhookQueueId, webhookDlqId, streamFailuresId]) {
      const policy = policies.find((p) =>
        asArray(props(p).Queues as unknown[])
          .map(render)
          .includes(`\${${queueId}}`),
      );
      expect(JSON.stringify(props(policy!).PolicyDocument), queueId).toContain(
        '"aws:SecureTransport":"false"',
      );
    }
  });

  it('hides a received message for at least six times the sender timeout', () => {
    expect(Number(props(webhookQueue).VisibilityTimeout)).toBeGreaterThanOrEqual(
      6 * Number(props(sender).Timeout),
    );
  });

  it('dead-letters after maxAttempts + 3 receives (shared/webhooks/README.md)', () => {
    expect(WEBHOOK_MAX_RECEIVE_COUNT).toBe(DEFAULT_WEBHOOK_SETTINGS.maxAttempts + 3);
    expect(props(webhookQueue).RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [webhookDlqId, 'Arn'] },
      maxReceiveCount: WEBHOOK_MAX_RECEIVE_COUNT,
    });
    expect(props(webhookDlq).MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });
});

describe('webhook-sender function', () => {
  it('consumes the queue in small batches, reporting item failures, with bounded concurrency', () => {
    const mapping = mappingOf(senderId);
    expect(render(mapping.EventSourceArn)).toBe(`\${${webhookQueueId}.Arn}`);
    expect(mapping).toMatchObject({
      BatchSize: WEBHOOK_BATCH_SIZE,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: WEBHOOK_MAX_CONCURRENCY },
    });
    expect(WEBHOOK_BATCH_SIZE).toBeLessThanOrEqual(10);
  });

  it('may consume the queue and dead-letter to the DLQ itself', () => {
    expect(sqsActionsOn(events, roleIdOf(sender), webhookQueueId)).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']),
    );
    expect(sqsActionsOn(events, roleIdOf(sender), webhookQueueId)).not.toContain('sqs:SendMessage');
    expect(sqsActionsOn(events, roleIdOf(sender), webhookDlqId)).toContain('sqs:SendMessage');
  });
});

describe('API function and the webhook queue', () => {
  it('may send to the delivery queue (redeliver)', () => {
    const [, apiFn] = functionNamed(api, names.apiFunction);
    const sends = statementsOfRole(api, roleIdOf(apiFn))
      .filter((s) => asArray(s.Action).includes('sqs:SendMessage'))
      .flatMap((s) => asArray(s.Resource).map(render));
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatch(/WebhookQueue/);
  });
});
