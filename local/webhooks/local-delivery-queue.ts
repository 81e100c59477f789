import type { Clock } from '../../shared/clock.ts';
import type {
  DeliveryMessage,
  DeliveryOutcome,
  DeliveryQueue,
} from '../../shared/webhooks/delivery-queue.ts';
import type { WebhookSettings } from '../../shared/webhooks/settings.ts';

/** What SQS does with a message whose consumer crashed: it reappears after the visibility timeout. */
const CRASH_VISIBILITY_MS = 30_000;

/**
 * Sends one message as of the virtual time `at` (its due time): the attempt is signed, recorded
 * and backed off from `at`, whatever the virtual clock has moved on to while the receiver answered.
 */
export type TimedDeliveryProcessor = (message: DeliveryMessage, at: Date) => Promise<DeliveryOutcome>;

interface Entry {
  message: DeliveryMessage;
  /** Virtual time at which the message becomes visible (its attempt's time). */
  visibleAt: number;
}

const identity = (message: DeliveryMessage): string =>
  `${message.tenantId}/${message.webhookId}/${message.deliveryId}/${message.round}`;

/**
 * The local stand-in for the SQS queue and its sender Lambda, on the VIRTUAL clock, and on its own:
 * nothing waits for it. A message is visible from its due time; `kick()` starts every visible one
 * (fair, bounded concurrency: at most `perReceiverConcurrency` in flight per subscription, so a
 * receiver that never answers holds its own slots only, for at most the request timeout). Each
 * attempt runs as of its due time, so retries that fall inside a clock jump are all made, each at
 * its own virtual time, without the clock (or the timers) ever waiting for a receiver.
 * Exhausted messages land in `deadLetters`. The queue lives in memory; the delivery records do not,
 * and the runtime re-queues the unsettled ones when it starts (`restore`).
 */
export class LocalDeliveryQueue implements DeliveryQueue {
  readonly deadLetters: DeliveryMessage[] = [];
  private readonly clock: Clock;
  private readonly settings: Pick<WebhookSettings, 'concurrency' | 'perReceiverConcurrency'>;
  private waiting: Entry[] = [];
  /** Messages queued or in flight, so a replayed stream record or a restore does not queue a twin. */
  private readonly known = new Set<string>();
  private readonly activeByReceiver = new Map<string, number>();
  private active = 0;
  private processor: TimedDeliveryProcessor | undefined;
  private onError: (error: unknown, message: DeliveryMessage) => void = () => undefined;
  private waiters: (() => void)[] = [];
  private stopped = false;

  constructor(clock: Clock, settings: Pick<WebhookSettings, 'concurrency' | 'perReceiverConcurrency'>) {
    this.clock = clock;
    this.settings = settings;
  }

  /** The processor needs deps that include this queue, so it is attached once they exist. */
  attach(
    processor: TimedDeliveryProcessor,
    onError?: (error: unknown, message: DeliveryMessage) => void,
  ): void {
    this.processor = processor;
    if (onError) this.onError = onError;
  }

  /** Queued, as SQS would hold it: sent at the next clock step or tick (`kick`), never in the caller's turn. */
  async enqueue(message: DeliveryMessage): Promise<void> {
    this.add(message, this.clock.now().getTime());
  }

  /** Re-queues a delivery found unsettled in the table at start, due at its recorded retry time. */
  restore(message: DeliveryMessage, dueAt: Date | undefined): void {
    const now = this.clock.now().getTime();
    this.add(message, Math.max(now, dueAt?.getTime() ?? now));
  }

  /** Messages waiting or in flight, for tests and the npm-start banner. */
  get size(): number {
    return this.waiting.length + this.active;
  }

  /** When the earliest waiting message becomes visible. */
  nextDueAt(): Date | undefined {
    if (this.waiting.length === 0) return undefined;
    return new Date(Math.min(...this.waiting.map((entry) => entry.visibleAt)));
  }

  /** Starts every message visible now that a free slot allows; never waits for one to finish. */
  kick(): void {
    const processor = this.processor;
    if (!processor || this.stopped) return;
    const now = this.clock.now().getTime();
    // Oldest first; a receiver at its limit is skipped, so it never blocks the ones behind it.
    this.waiting.sort((a, b) => a.visibleAt - b.visibleAt);
    for (let index = 0; index < this.waiting.length && this.active < this.settings.concurrency; ) {
      const entry = this.waiting[index] as Entry;
      if (entry.visibleAt > now) break;
      const receiver = entry.message.webhookId;
      if ((this.activeByReceiver.get(receiver) ?? 0) >= this.settings.perReceiverConcurrency) {
        index++;
        continue;
      }
      this.waiting.splice(index, 1);
      this.start(processor, entry);
    }
    this.wakeIfSettled();
  }

  /**
   * Resolves once no message is in flight and none is visible at the current virtual time: every
   * attempt due so far (retries inside a clock jump included) has been made. Tests wait on it.
   */
  settled(): Promise<void> {
    this.kick();
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops starting attempts and waits for those in flight (each bounded by the request timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.active === 0) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private add(message: DeliveryMessage, visibleAt: number): void {
    const id = identity(message);
    if (this.known.has(id)) return;
    this.known.add(id);
    this.waiting.push({ message, visibleAt });
  }

  private start(processor: TimedDeliveryProcessor, entry: Entry): void {
    const receiver = entry.message.webhookId;
    this.active++;
    this.activeByReceiver.set(receiver, (this.activeByReceiver.get(receiver) ?? 0) + 1);
    const at = entry.visibleAt;
    processor(entry.message, new Date(at))
      .then(
        (outcome) => this.settle(entry, at, outcome),
        (error: unknown) => {
          this.onError(error, entry.message);
          this.settle(entry, at, undefined);
        },
      )
      .finally(() => {
        this.active--;
        const left = (this.activeByReceiver.get(receiver) ?? 1) - 1;
        if (left > 0) this.activeByReceiver.set(receiver, left);
        else this.activeByReceiver.delete(receiver);
        this.kick();
        if (this.stopped && this.active === 0) this.wake();
      });
  }

  private settle(entry: Entry, at: number, outcome: DeliveryOutcome | undefined): void {
    if (!outcome) {
      this.waiting.push({ message: entry.message, visibleAt: at + CRASH_VISIBILITY_MS });
    } else if (outcome.kind === 'retry') {
      this.waiting.push({ message: entry.message, visibleAt: at + outcome.delayMs });
    } else {
      this.known.delete(identity(entry.message));
      if (outcome.kind === 'exhausted') this.deadLetters.push(entry.message);
    }
  }

  private isSettled(): boolean {
    if (this.active > 0) return false;
    if (!this.processor) return true;
    const now = this.clock.now().getTime();
    return this.stopped || !this.waiting.some((entry) => entry.visibleAt <= now);
  }

  private wakeIfSettled(): void {
    if (this.waiters.length > 0 && this.isSettled()) this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
