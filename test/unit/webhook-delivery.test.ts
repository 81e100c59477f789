import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWebhookSenderHandler,
  type SenderQueueOps,
  visibilitySeconds,
} from '../../functions/webhook-sender/app.ts';
import { sqsQueueOps } from '../../functions/webhook-sender/sqs-ops.ts';
import { noopMetrics, setCustodyMetrics } from '../../shared/observability/metrics.ts';
import { retryCeilingsMs, retryDelayMs } from '../../shared/webhooks/backoff.ts';
import type { DeliveryMessage, DeliveryOutcome } from '../../shared/webhooks/delivery-queue.ts';
import { runFair } from '../../shared/webhooks/fair-pool.ts';
import {
  DEFAULT_WEBHOOK_SETTINGS,
  webhookSettings,
  webhookSettingsFromEnv,
} from '../../shared/webhooks/settings.ts';
import { signatureHeader, verifySignature } from '../../shared/webhooks/signature.ts';
import { SqsDeliveryQueue } from '../../shared/webhooks/sqs-delivery-queue.ts';

describe('signature', () => {
  const secret = 'whsec_test';
  const body = '{"id":"01J","type":"hold.created"}';

  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(signatureHeader(secret, 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
  });

  it('verifies, and refuses a changed body, another secret or a stale timestamp', () => {
    const header = signatureHeader(secret, 1_700_000_000, body);
    expect(verifySignature(header, body, secret, { nowSeconds: 1_700_000_010 })).toEqual({
      ok: true,
      timestamp: 1_700_000_000,
    });
    expect(verifySignature(header, `${body} `, secret, { nowSeconds: 1_700_000_010 })).toMatchObject({
      ok: false,
    });
    expect(verifySignature(header, body, 'whsec_other', { nowSeconds: 1_700_000_010 })).toMatchObject({
      ok: false,
    });
    expect(verifySignature(header, body, secret, { nowSeconds: 1_700_001_000 })).toEqual({
      ok: false,
      reason: 'timestamp outside the tolerance',
    });
    expect(verifySignature('garbage', body, secret, { nowSeconds: 1_700_000_000 })).toMatchObject({
      ok: false,
    });
    expect(verifySignature(undefined, body, secret, { nowSeconds: 1_700_000_000 })).toMatchObject({
      ok: false,
    });
  });
});

describe('backoff: exponential with full jitter', () => {
  const settings = DEFAULT_WEBHOOK_SETTINGS;

  it('waits between 1 s and the exponential ceiling, in whole seconds', () => {
    expect(retryDelayMs(1, settings, () => 0)).toBe(1000);
    expect(retryDelayMs(1, settings, () => 0.999_999)).toBe(10_000);
    expect(retryDelayMs(2, settings, () => 0.999_999)).toBe(20_000);
    expect(retryDelayMs(4, settings, () => 0.5)).toBe(40_000);
    expect(retryDelayMs(40, settings, () => 0.999_999)).toBe(settings.maxDelayMs);
    for (let attempt = 1; attempt < 12; attempt++) {
      const delay = retryDelayMs(attempt, settings);
      expect(delay % 1000).toBe(0);
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(
        Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1)),
      );
    }
  });

  it('the default schedule: 11 waits capped at 6 h, under 6 h in total at worst', () => {
    const ceilings = retryCeilingsMs(settings);
    expect(ceilings.map((ms) => ms / 1000)).toEqual([
      10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10_240,
    ]);
    expect(ceilings.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(6 * 3_600_000);
    expect(settings.maxDelayMs / 1000).toBeLessThanOrEqual(43_200);
  });

  it('settings are validated, and read from the environment', () => {
    expect(webhookSettingsFromEnv({ WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_MAX_ATTEMPTS: '5' })).toMatchObject({
      timeoutMs: 300,
      maxAttempts: 5,
      concurrency: 16,
    });
    expect(() => webhookSettings({ maxDelayMs: 13 * 3_600_000 })).toThrow();
    expect(() => webhookSettingsFromEnv({ WEBHOOK_TIMEOUT_MS: 'soon' })).toThrow();
  });
});

describe('fair, bounded concurrency', () => {
  it('never exceeds the global or per-key bound, and serves every key from the first wave', async () => {
    const running = new Map<string, number>();
    let total = 0;
    let peak = 0;
    const peakPerKey = new Map<string, number>();
    const started: string[] = [];
    const task = (key: string) => ({
      key,
      run: async () => {
        started.push(key);
        total += 1;
        running.set(key, (running.get(key) ?? 0) + 1);
        peak = Math.max(peak, total);
        peakPerKey.set(key, Math.max(peakPerKey.get(key) ?? 0, running.get(key) ?? 0));
        await new Promise((resolve) => setTimeout(resolve, 5));
        total -= 1;
        running.set(key, (running.get(key) ?? 1) - 1);
        return key;
      },
    });
    const tasks = [...Array.from({ length: 10 }, () => task('slow')), task('a'), task('b')];
    const results = await runFair(tasks, { global: 4, perKey: 2 });
    expect(results.every((result) => result.ok)).toBe(true);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peakPerKey.get('slow')).toBe(2);
    // 'a' and 'b' start in the first wave although ten 'slow' tasks were queued before them.
    expect(started.slice(0, 4).sort()).toEqual(['a', 'b', 'slow', 'slow']);
  });

  it('reports a failing task without stopping the others', async () => {
    const results = await runFair(
      [
        { key: 'x', run: async () => Promise.reject(new Error('boom')) },
        { key: 'y', run: async () => 1 },
      ],
      { global: 2, perKey: 1 },
    );
    expect(results[0]).toMatchObject({ ok: false });
    expect(results[1]).toEqual({ ok: true, value: 1 });
    expect(await runFair([], { global: 1, perKey: 1 })).toEqual([]);
  });
});

const message = (webhookId: string): DeliveryMessage => ({
  tenantId: 'pinellas-fl',
  webhookId,
  deliveryId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
  round: 1,
});

const record = (id: string, body: string): SQSRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:wso-webhooks',
  awsRegion: 'us-east-1',
});

describe('the webhook-sender Lambda maps outcomes onto SQS', () => {
  const silent = { info: () => undefined, error: () => undefined };

  it('retry → visibility set to the backoff and a batch item failure; exhausted → DLQ and deleted', async () => {
    const calls: string[] = [];
    const ops: SenderQueueOps = {
      delay: async (handle, seconds) => {
        calls.push(`delay ${handle} ${seconds}`);
      },
      deadLetter: async (_body, reason) => {
        calls.push(`dlq ${reason}`);
      },
    };
    const outcomes: Record<string, DeliveryOutcome> = {
      '01JBBBBBBBBBBBBBBBBBBBBBBB': { kind: 'settled' },
      '01JCCCCCCCCCCCCCCCCCCCCCCC': { kind: 'retry', delayMs: 20_000 },
      '01JDDDDDDDDDDDDDDDDDDDDDDD': { kind: 'exhausted' },
    };
    const handler = createWebhookSenderHandler(silent, {
      process: async (m) => {
        if (m.webhookId === '01JEEEEEEEEEEEEEEEEEEEEEEE') throw new Error('table unavailable');
        return outcomes[m.webhookId] ?? { kind: 'settled' };
      },
      ops,
      settings: { concurrency: 4, perReceiverConcurrency: 1 },
    });
    const event: SQSEvent = {
      Records: [
        record('ok', JSON.stringify(message('01JBBBBBBBBBBBBBBBBBBBBBBB'))),
        record('retry', JSON.stringify(message('01JCCCCCCCCCCCCCCCCCCCCCCC'))),
        record('dead', JSON.stringify(message('01JDDDDDDDDDDDDDDDDDDDDDDD'))),
        record('crash', JSON.stringify(message('01JEEEEEEEEEEEEEEEEEEEEEEE'))),
        record('junk', '{"tenantId":"x"}'),
      ],
    };
    const response = await handler(event);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'crash',
      'retry',
    ]);
    expect(calls.sort()).toEqual(['delay rh-retry 20', 'dlq malformed message', 'dlq out of attempts']);
  });

  it('counts WebhookDeliveryFailures once per exhausted delivery, also when dead-lettering fails', async () => {
    let failures = 0;
    const previous = setCustodyMetrics({
      ...noopMetrics,
      webhookDeliveryFailure: () => {
        failures += 1;
      },
    });
    try {
      const outcomes: Record<string, DeliveryOutcome> = {
        '01JBBBBBBBBBBBBBBBBBBBBBBB': { kind: 'settled' },
        '01JCCCCCCCCCCCCCCCCCCCCCCC': { kind: 'retry', delayMs: 20_000 },
        '01JDDDDDDDDDDDDDDDDDDDDDDD': { kind: 'exhausted' },
        '01JFFFFFFFFFFFFFFFFFFFFFFF': { kind: 'exhausted' },
      };
      const handler = createWebhookSenderHandler(silent, {
        process: async (m) => {
          if (m.webhookId === '01JEEEEEEEEEEEEEEEEEEEEEEE') throw new Error('table unavailable');
          return outcomes[m.webhookId] ?? { kind: 'settled' };
        },
        ops: {
          delay: async () => undefined,
          deadLetter: async (body) => {
            if (body.includes('01JFFFFFFFFFFFFFFFFFFFFFFF')) throw new Error('SQS unavailable');
          },
        },
        settings: { concurrency: 4, perReceiverConcurrency: 1 },
      });
      const response = await handler({
        Records: [
          record('ok', JSON.stringify(message('01JBBBBBBBBBBBBBBBBBBBBBBB'))),
          record('retry', JSON.stringify(message('01JCCCCCCCCCCCCCCCCCCCCCCC'))),
          record('dead', JSON.stringify(message('01JDDDDDDDDDDDDDDDDDDDDDDD'))),
          record('dead-no-dlq', JSON.stringify(message('01JFFFFFFFFFFFFFFFFFFFFFFF'))),
          record('crash', JSON.stringify(message('01JEEEEEEEEEEEEEEEEEEEEEEE'))),
          record('junk', '{"tenantId":"x"}'),
        ],
      });
      // Settled, retrying, crashed (SQS redelivers) and malformed messages are not failed deliveries.
      expect(failures).toBe(2);
      expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
        'crash',
        'dead-no-dlq',
        'retry',
      ]);
    } finally {
      setCustodyMetrics(previous);
    }
  });

  it('keeps visibility inside SQS\u2019s 12-hour limit', () => {
    expect(visibilitySeconds(1500)).toBe(2);
    expect(visibilitySeconds(13 * 3_600_000)).toBe(43_200 - 300);
  });
});

describe('SQS adapters', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());

  it('enqueue sends the message as JSON to the webhook queue', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const queue = new SqsDeliveryQueue(() => new SQSClient({ region: 'us-east-1' }), 'https://sqs.example/q');
    await queue.enqueue(message('01JBBBBBBBBBBBBBBBBBBBBBBB'));
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe('https://sqs.example/q');
    expect(JSON.parse(sent?.MessageBody ?? '')).toEqual(message('01JBBBBBBBBBBBBBBBBBBBBBBB'));
    await expect(
      new SqsDeliveryQueue(() => new SQSClient({}), undefined).enqueue(message('x')),
    ).rejects.toThrow(/WEBHOOK_QUEUE_URL/);
  });

  it('the sender ops change visibility on the queue and dead-letter with a reason', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-2' });
    const ops = sqsQueueOps(new SQSClient({ region: 'us-east-1' }), {
      queueUrl: 'https://sqs.example/q',
      deadLetterQueueUrl: 'https://sqs.example/dlq',
    });
    await ops.delay('rh-1', 40);
    await ops.deadLetter('{"a":1}', 'out of attempts');
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toEqual({
      QueueUrl: 'https://sqs.example/q',
      ReceiptHandle: 'rh-1',
      VisibilityTimeout: 40,
    });
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toMatchObject({
      QueueUrl: 'https://sqs.example/dlq',
      MessageBody: '{"a":1}',
      MessageAttributes: { reason: { DataType: 'String', StringValue: 'out of attempts' } },
    });
  });
});
