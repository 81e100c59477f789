import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type { AppDeps } from '../shared/app-deps.ts';
import type { VirtualClock } from '../shared/clock.ts';
import { dailyRunAfter, dailyRunAtOrBefore } from '../shared/jobs/daily-job.ts';
import { LOCAL_CREDENTIALS } from '../shared/store/db.ts';
import { allShards, earliestSweepAt } from '../shared/store/holds.ts';
import { OPEN_HOLDS_INDEX } from '../shared/store/table-definition.ts';
import {
  EventBridgeHoldTimers,
  SCHEDULER_MAX_ATTEMPTS,
  type SchedulerTarget,
} from '../shared/timers/eventbridge-hold-timers.ts';
import { MINUTE_MS } from '../shared/util/time.ts';
import type { LocalDailyRuns } from './daily-runs.ts';
import { InProcessSchedulerHandler } from './scheduler/in-process-handler.ts';
import { LocalScheduler } from './scheduler/local-scheduler.ts';

export const LOCAL_SCHEDULER_TARGET: SchedulerTarget = {
  groupName: 'wso-holds',
  targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:wso-hold-timer',
  roleArn: 'arn:aws:iam::000000000000:role/wso-scheduler-invoke-hold-timer',
  deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:wso-scheduler-dlq',
};

/** The sweeper's cadence in AWS (a rate(1 minute) schedule). */
/** Never dialled: the local client's requests go in process (in-process-handler.ts). */
const LOCAL_SCHEDULER_ENDPOINT = 'http://scheduler.local';

export const SWEEP_INTERVAL_MS = MINUTE_MS;

/** Guards against a handler that keeps a step due forever. */
const MAX_STEPS_PER_ADVANCE = 1_000_000;

export interface LocalTimerHandlers {
  holdTimer: (event: unknown) => Promise<unknown>;
  sweep: () => Promise<unknown>;
  /** Runs after each step of the clock: the stream consumers see changes in time order. */
  afterStep?: () => Promise<unknown>;
  /**
   * Runs before the clock moves: brings the open-holds cache up to date with writes made since the
   * last step (the runtime drains the table's stream, which calls `openHoldsChanged`).
   */
  beforeAdvance?: () => Promise<unknown>;
  /** The daily jobs, run when the clock crosses the daily run time (once for days a restart skipped). */
  daily?: LocalDailyRuns;
}

/**
 * The local Scheduler (an HTTP server speaking the EventBridge Scheduler API, used through the
 * production adapter unchanged) and the clock driver that fires schedules and runs the sweeper
 * on the virtual clock, exactly when they would run in AWS.
 */
export class LocalTimers {
  readonly scheduler: LocalScheduler;
  readonly timers: EventBridgeHoldTimers;
  readonly schedulerClient: SchedulerClient;
  private readonly clock: VirtualClock;
  private handlers: LocalTimerHandlers | undefined;
  private deps: AppDeps | undefined;
  private lastSweep = 0;
  private lastDailyRun = 0;
  /**
   * The earliest sweep time found in each open-holds shard, kept until the stream reports a write
   * to that shard: without it every clock step would query all shards of the index.
   */
  private readonly earliestByShard = new Map<string, number | undefined>();
  /** Bumped by every reported write, so a look-up that raced a write is not cached. */
  private readonly shardWrites = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(clock: VirtualClock, scheduler: LocalScheduler, client: SchedulerClient) {
    this.clock = clock;
    this.scheduler = scheduler;
    this.schedulerClient = client;
    this.timers = new EventBridgeHoldTimers(client, LOCAL_SCHEDULER_TARGET);
  }

  static async start(clock: VirtualClock): Promise<LocalTimers> {
    let self: LocalTimers | undefined;
    const scheduler = new LocalScheduler({
      clock,
      invoke: async (targetArn, input) => {
        if (targetArn !== LOCAL_SCHEDULER_TARGET.targetArn || !self?.handlers) {
          throw new Error(`no local function for ${targetArn}`);
        }
        return self.handlers.holdTimer(JSON.parse(input));
      },
    });
    scheduler.createGroup(LOCAL_SCHEDULER_TARGET.groupName);
    const client = new SchedulerClient({
      // The endpoint names the service; requests reach it in process (in-process-handler.ts).
      endpoint: LOCAL_SCHEDULER_ENDPOINT,
      requestHandler: new InProcessSchedulerHandler(scheduler),
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      // Same attempts as in AWS, but no real-time backoff: local time is virtual.
      retryStrategy: new ConfiguredRetryStrategy(SCHEDULER_MAX_ATTEMPTS, () => 0),
    });
    self = new LocalTimers(clock, scheduler, client);
    return self;
  }

  /** The handlers exist only once the deps (which include these timers) are built. */
  attach(deps: AppDeps, handlers: LocalTimerHandlers): void {
    this.deps = deps;
    this.handlers = handlers;
    this.lastDailyRun = handlers.daily?.lastRunAt.getTime() ?? 0;
  }

  /** A daily run time has passed since the last run (a restart on kept data runs it at once). */
  dailyRunDue(): boolean {
    return (this.nextDailyRun() ?? Number.POSITIVE_INFINITY) <= this.clock.now().getTime();
  }

  /** Moves the clock to `target`, one due event at a time, firing schedules, sweeps and daily runs in order. */
  advanceTo(target: Date): Promise<void> {
    const run = this.queue.then(() => this.drive(target));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The stream saw writes to these open-holds shards: their earliest sweep time must be read again. */
  openHoldsChanged(shards: Iterable<string>): void {
    for (const shard of shards) {
      this.earliestByShard.delete(shard);
      this.shardWrites.set(shard, (this.shardWrites.get(shard) ?? 0) + 1);
    }
  }

  async stop(): Promise<void> {
    await this.queue;
    this.schedulerClient.destroy();
  }

  private async drive(target: Date): Promise<void> {
    await this.handlers?.beforeAdvance?.();
    for (let step = 0; step < MAX_STEPS_PER_ADVANCE; step++) {
      const now = this.clock.now().getTime();
      const fireAt = this.scheduler.nextFireAt()?.getTime();
      // No sweep can come before the next sweep interval: skip the index look-up while a timer is due first.
      const sweepAt =
        fireAt !== undefined && fireAt < this.lastSweep + SWEEP_INTERVAL_MS
          ? undefined
          : await this.nextSweepTime();
      const dailyAt = this.nextDailyRun() ?? Number.POSITIVE_INFINITY;
      const next = Math.min(fireAt ?? Number.POSITIVE_INFINITY, sweepAt ?? Number.POSITIVE_INFINITY, dailyAt);
      if (next > target.getTime()) break;
      if (next > now) this.clock.set(new Date(next));
      await this.runDue(sweepAt !== undefined && sweepAt <= next, dailyAt <= next);
    }
    if (target.getTime() > this.clock.now().getTime()) this.clock.set(target);
    // The loop stopped because nothing (timer, sweep or daily run) is due by the target: only the consumers run.
    await this.runDue(false);
  }

  /**
   * Fire due schedules first (the timer normally wins), then the sweep if the index has a hold due.
   * In AWS the sweeper also runs every minute in between; those runs find nothing and change
   * nothing, so the local clock skips them.
   */
  private async runDue(sweepDue: boolean, dailyDue = false): Promise<void> {
    const now = this.clock.now().getTime();
    await this.scheduler.fireDue(new Date(now));
    if (sweepDue && this.handlers) {
      this.lastSweep = Math.floor(now / SWEEP_INTERVAL_MS) * SWEEP_INTERVAL_MS;
      await this.handlers.sweep();
    }
    const daily = this.handlers?.daily;
    if (dailyDue && daily) {
      // Run times missed together (a restart, a clock set past them) make one run, not one per day.
      const runAt = dailyRunAtOrBefore(new Date(now));
      this.lastDailyRun = runAt.getTime();
      await daily.run();
      daily.ran(runAt);
    }
    await this.handlers?.afterStep?.();
  }

  private nextDailyRun(): number | undefined {
    return this.handlers?.daily ? dailyRunAfter(new Date(this.lastDailyRun)).getTime() : undefined;
  }

  /** The next minute boundary at which the sweeper would find an open hold due. */
  private async nextSweepTime(): Promise<number | undefined> {
    if (!this.deps) return undefined;
    const db = this.deps.db;
    const times = await Promise.all(
      allShards().map(async (shard) => {
        if (this.earliestByShard.has(shard)) return this.earliestByShard.get(shard);
        const writes = this.shardWrites.get(shard) ?? 0;
        const time = await earliestSweepAt(db, shard);
        const parsed = time ? Date.parse(time) : undefined;
        if ((this.shardWrites.get(shard) ?? 0) === writes) this.earliestByShard.set(shard, parsed);
        return parsed;
      }),
    );
    const earliest = Math.min(...times.flatMap((time) => (time === undefined ? [] : [time])));
    if (!Number.isFinite(earliest)) return undefined;
    const boundary = Math.ceil(earliest / SWEEP_INTERVAL_MS) * SWEEP_INTERVAL_MS;
    return Math.max(boundary, this.lastSweep + SWEEP_INTERVAL_MS);
  }
}

/** The open-holds index shards that stream records wrote to (before or after the change). */
export function openHoldShards(records: readonly _Record[]): Set<string> {
  const shards = new Set<string>();
  for (const record of records) {
    for (const image of [record.dynamodb?.OldImage, record.dynamodb?.NewImage]) {
      const shard = image?.[OPEN_HOLDS_INDEX.partitionKey]?.S;
      if (shard) shards.add(shard);
    }
  }
  return shards;
}
