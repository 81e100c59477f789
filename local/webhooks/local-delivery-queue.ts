import type { Clock } from '../../shared/clock.ts';
import type {
  DeliveryMessage,
  DeliveryOutcome,
  DeliveryProcessor,
  DeliveryQueue,
} from '../../shared/webhooks/delivery-queue.ts';
import { runFair } from '../../shared/webhooks/fair-pool.ts';
import type { WebhookSettings } from '../../shared/webhooks/settings.ts';

/** What SQS does with a message whose consumer crashed: it reappears after the visibility timeout. */
const CRASH_VISIBILITY_MS = 30_000;
/** Guards against a processor that keeps making work due at the same instant. */
const MAX_ROUNDS_PER_RUN = 100;

interface Entry {
  message: DeliveryMessage;
  /** Virtual time at which the message becomes visible again. */
  visibleAt: number;
}

/**
 * The local stand-in for the SQS queue and its sender Lambda, on the VIRTUAL clock: a message is
 * visible from its due time, `runDue()` sends everything visible (with the same fair, bounded
 * concurrency as the Lambda), and a retry outcome hides the message until `now + delay`, exactly
 * like ChangeMessageVisibility. Exhausted messages land in `deadLetters`. Nothing survives a
 * restart of the local runtime (the delivery records do; a redeliver re-queues one).
 */
export class LocalDeliveryQueue implements DeliveryQueue {
  readonly deadLetters: DeliveryMessage[] = [];
  private readonly clock: Clock;
  private readonly settings: Pick<WebhookSettings, 'concurrency' | 'perReceiverConcurrency'>;
  private entries: Entry[] = [];
  private processor: DeliveryProcessor | undefined;
  private onError: (error: unknown, message: DeliveryMessage) => void = () => undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(clock: Clock, settings: Pick<WebhookSettings, 'concurrency' | 'perReceiverConcurrency'>) {
    this.clock = clock;
    this.settings = settings;
  }

  /** The processor needs deps that include this queue, so it is attached once they exist. */
  attach(processor: DeliveryProcessor, onError?: (error: unknown, message: DeliveryMessage) => void): void {
    this.processor = processor;
    if (onError) this.onError = onError;
  }

  async enqueue(message: DeliveryMessage): Promise<void> {
    this.entries.push({ message, visibleAt: this.clock.now().getTime() });
  }

  /** Messages waiting (visible or not), for tests and the npm-start banner. */
  get size(): number {
    return this.entries.length;
  }

  /** When the earliest waiting message becomes visible: the clock driver steps to it. */
  nextDueAt(): Date | undefined {
    if (this.entries.length === 0) return undefined;
    return new Date(this.entries.reduce((earliest, entry) => Math.min(earliest, entry.visibleAt), Infinity));
  }

  /** Sends every message visible now; resolves with how many were processed. Runs never overlap. */
  runDue(): Promise<number> {
    const run = this.queue.then(() => this.drain());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Resolves once no run is in progress (the runtime waits for it before it stops). */
  async idle(): Promise<void> {
    await this.queue;
  }

  private async drain(): Promise<number> {
    const processor = this.processor;
    if (!processor) return 0;
    let processed = 0;
    for (let round = 0; round < MAX_ROUNDS_PER_RUN; round++) {
      const now = this.clock.now().getTime();
      const due = this.entries.filter((entry) => entry.visibleAt <= now);
      if (due.length === 0) break;
      this.entries = this.entries.filter((entry) => entry.visibleAt > now);
      const results = await runFair(
        due.map((entry) => ({ key: entry.message.webhookId, run: () => processor(entry.message) })),
        { global: this.settings.concurrency, perKey: this.settings.perReceiverConcurrency },
      );
      for (const [index, result] of results.entries()) {
        const entry = due[index] as Entry;
        if (!result.ok) this.onError(result.error, entry.message);
        this.settle(entry, result.ok ? result.value : undefined);
      }
      processed += due.length;
    }
    return processed;
  }

  private settle(entry: Entry, outcome: DeliveryOutcome | undefined): void {
    const now = this.clock.now().getTime();
    if (!outcome) {
      this.entries.push({ message: entry.message, visibleAt: now + CRASH_VISIBILITY_MS });
    } else if (outcome.kind === 'retry') {
      this.entries.push({ message: entry.message, visibleAt: now + outcome.delayMs });
    } else if (outcome.kind === 'exhausted') {
      this.deadLetters.push(entry.message);
    }
  }
}
