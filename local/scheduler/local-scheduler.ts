/**
 * An in-memory Amazon EventBridge Scheduler: the schedule store, AWS's validation rules and the
 * firing logic, without HTTP (`server.ts` puts the Scheduler REST API in front of it, so the real
 * `@aws-sdk/client-scheduler` runs unchanged against it).
 *
 * Time never passes on its own: one-time `at()` schedules fire only when `fireDue(now)` is called
 * with the virtual clock's time. Every operation except `fireDue` is synchronous, so each one is
 * atomic on the event loop; a target handler that calls back over HTTP while its schedule fires
 * runs between the awaits of `fireDue`, never blocked by it.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { type Clock, systemClock } from '../../shared/clock.ts';
import { toIsoSeconds } from '../../shared/util/time.ts';

// ---------------------------------------------------------------------------------------------
// Errors

/** The service's error shapes and their HTTP status codes (from the Scheduler service model). */
export const SCHEDULER_ERROR_STATUS = {
  ValidationException: 400,
  ServiceQuotaExceededException: 402,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
} as const;

export type SchedulerErrorName = keyof typeof SCHEDULER_ERROR_STATUS;

export type SchedulerOperation =
  | 'CreateSchedule'
  | 'GetSchedule'
  | 'UpdateSchedule'
  | 'DeleteSchedule'
  | 'ListSchedules';

/** An error as the service returns it; `server.ts` maps it to the status and `x-amzn-errortype`. */
export class SchedulerError extends Error {
  readonly errorName: SchedulerErrorName;
  readonly statusCode: number;

  constructor(errorName: SchedulerErrorName, message: string) {
    super(message);
    this.name = errorName;
    this.errorName = errorName;
    this.statusCode = SCHEDULER_ERROR_STATUS[errorName];
  }
}

// ---------------------------------------------------------------------------------------------
// Request shapes and AWS's constraints (service model scheduler-2021-06-30)

const NAME_PATTERN = /^[0-9a-zA-Z-_.]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const SQS_ARN_PATTERN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9-_]+$/;
const KMS_ARN_PATTERN = /^arn:aws(-[a-z]+)?:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[0-9a-zA-Z-_]*$/;
const CLIENT_TOKEN_PATTERN = /^[a-zA-Z0-9-_]+$/;
/** The model gives Target.Arn no pattern; ARN-shaped per the design brief (`arn:aws:scheduler:::aws-sdk:...` too). */
const TARGET_ARN_PATTERN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;
/** The model sets no maximum on Target.Input; this limit is the product's design brief. */
const MAX_INPUT_LENGTH = 8192;

const DEFAULT_GROUP = 'default';
const DEFAULT_TIMEZONE = 'UTC';
/** AWS's documented defaults for a target without a RetryPolicy: 24 hours, 185 retries. */
const DEFAULT_RETRY_POLICY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 } as const;
const MAX_PAGE_SIZE = 100;
/** Bounds a handler that keeps re-arming its own schedule in the past within one `fireDue` call. */
export const MAX_FIRES_PER_SCHEDULE_PER_CALL = 10;
const MAX_REMEMBERED_DELETE_TOKENS = 10_000;

const missingOr = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'Member must not be null' : message;

const text = (min: number, max: number, pattern?: RegExp) => {
  const schema = z
    .string({ error: missingOr('Member must be a string') })
    .min(min, `Member must have length greater than or equal to ${min}`)
    .max(max, `Member must have length less than or equal to ${max}`);
  return pattern
    ? schema.regex(pattern, `Member must satisfy regular expression pattern: ${pattern.source}`)
    : schema;
};

const integer = (min: number, max: number) =>
  z
    .int({ error: missingOr('Member must be an integer') })
    .min(min, `Member must have value greater than or equal to ${min}`)
    .max(max, `Member must have value less than or equal to ${max}`);

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: missingOr(`Member must satisfy enum value set: [${values.join(', ')}]`) });

const structure = <T extends z.ZodRawShape>(shape: T) =>
  z.object(shape, { error: missingOr('Member must be a structure') });

/** Timestamps travel as epoch seconds in the REST-JSON protocol. */
const epochSeconds = z.number({ error: missingOr('Member must be a timestamp') });

const scheduleName = text(1, 64, NAME_PATTERN);
const groupName = text(1, 64, NAME_PATTERN);

/** Loose: templated-target members this emulator does not model (EcsParameters, ...) round-trip as sent. */
const targetSchema = z.looseObject(
  {
    Arn: text(1, 1600, TARGET_ARN_PATTERN),
    RoleArn: text(1, 1600, ROLE_ARN_PATTERN),
    Input: text(1, MAX_INPUT_LENGTH).optional(),
    RetryPolicy: structure({
      MaximumEventAgeInSeconds: integer(60, 86_400).optional(),
      MaximumRetryAttempts: integer(0, 185).optional(),
    }).optional(),
    DeadLetterConfig: structure({ Arn: text(1, 1600, SQS_ARN_PATTERN).optional() }).optional(),
  },
  { error: missingOr('Member must be a structure') },
);

const scheduleRequestSchema = z.object({
  Name: scheduleName,
  GroupName: groupName.optional(),
  ScheduleExpression: text(1, 256),
  ScheduleExpressionTimezone: text(1, 50).optional(),
  FlexibleTimeWindow: structure({
    Mode: oneOf(['OFF', 'FLEXIBLE']),
    MaximumWindowInMinutes: integer(1, 1440).optional(),
  }),
  Target: targetSchema,
  ActionAfterCompletion: oneOf(['NONE', 'DELETE']).optional(),
  State: oneOf(['ENABLED', 'DISABLED']).optional(),
  Description: text(0, 512).optional(),
  StartDate: epochSeconds.optional(),
  EndDate: epochSeconds.optional(),
  KmsKeyArn: text(1, 2048, KMS_ARN_PATTERN).optional(),
  ClientToken: text(1, 64, CLIENT_TOKEN_PATTERN).optional(),
});

const scheduleKeySchema = z.object({
  Name: scheduleName,
  GroupName: groupName.optional(),
  ClientToken: text(1, 64, CLIENT_TOKEN_PATTERN).optional(),
});

const listRequestSchema = z.object({
  GroupName: groupName.optional(),
  NamePrefix: text(1, 64, NAME_PATTERN).optional(),
  State: oneOf(['ENABLED', 'DISABLED']).optional(),
  NextToken: text(1, 2048).optional(),
  MaxResults: integer(1, MAX_PAGE_SIZE).optional(),
});

export type ScheduleRequest = z.infer<typeof scheduleRequestSchema>;
export type ScheduleKeyRequest = z.infer<typeof scheduleKeySchema>;
export type ListSchedulesRequest = z.infer<typeof listRequestSchema>;
type ScheduleTarget = ScheduleRequest['Target'];
type ScheduleState = NonNullable<ScheduleRequest['State']>;

/** AWS's message style: `1 validation error detected: Value 'x' at 'name' failed to satisfy ...`. */
function validationMessage(issues: readonly z.core.$ZodIssue[]): string {
  const details = issues.map(
    (issue) =>
      `Value ${describeValue(issue.input)} at '${memberPath(issue.path)}' failed to satisfy constraint: ${issue.message}`,
  );
  const count = details.length === 1 ? '1 validation error' : `${details.length} validation errors`;
  return `${count} detected: ${details.join('; ')}`;
}

/** AWS names members in lowerCamelCase in validation messages (`target.roleArn`). */
const memberPath = (path: readonly PropertyKey[]): string =>
  path.map((key) => String(key).replace(/^[A-Z]/, (first) => first.toLowerCase())).join('.');

function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 100 ? `${value.slice(0, 100)}...` : value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `'${value}'`;
  return 'of the given structure';
}

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success)
    throw new SchedulerError('ValidationException', validationMessage(result.error.issues));
  return result.data;
}

const invalid = (message: string): SchedulerError => new SchedulerError('ValidationException', message);

// ---------------------------------------------------------------------------------------------
// Schedule expressions and time zones

interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

type ScheduleExpression = { kind: 'at'; local: LocalDateTime } | { kind: 'rate' } | { kind: 'cron' };

const AT_EXPRESSION = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const RATE_EXPRESSION = /^rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)$/;
/** Six fields (minutes hours day-of-month month day-of-week year); only the shape is checked. */
const CRON_EXPRESSION = /^cron\([0-9A-Za-z*?,/#-]+( [0-9A-Za-z*?,/#-]+){5}\)$/;
/** IANA names only: Intl alone would also accept offsets such as `+01:00`, which AWS does not. */
const TIMEZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

function parseScheduleExpression(expression: string): ScheduleExpression {
  const at = AT_EXPRESSION.exec(expression);
  if (at) return { kind: 'at', local: toLocalDateTime(expression, at.slice(1).map(Number)) };
  if (RATE_EXPRESSION.test(expression)) return { kind: 'rate' };
  if (CRON_EXPRESSION.test(expression)) return { kind: 'cron' };
  throw invalid(`Invalid Schedule Expression ${expression}.`);
}

function toLocalDateTime(expression: string, fields: number[]): LocalDateTime {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = fields;
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  if (!valid) throw invalid(`Invalid Schedule Expression ${expression}: not a valid date and time.`);
  return { year, month, day, hour, minute, second };
}

const daysInMonth = (year: number, month: number): number =>
  new Date(utcMillis(year, month + 1, 0, 0, 0, 0)).getUTCDate();

/** Like `Date.UTC`, without its mapping of years 0-99 to 1900-1999. */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number) {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = zoneFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormatters.set(timeZone, formatter);
  }
  return formatter;
}

function assertKnownTimezone(timeZone: string): void {
  if (!isKnownTimezone(timeZone)) {
    throw invalid(`Invalid ScheduleExpressionTimezone ${timeZone}: not a known time zone.`);
  }
}

function isKnownTimezone(timeZone: string): boolean {
  if (!TIMEZONE_NAME.test(timeZone)) return false;
  try {
    zoneFormatter(timeZone);
    return true;
  } catch {
    return false; // Intl throws a RangeError for zones it does not know
  }
}

/** Milliseconds to add to a UTC instant to get the wall-clock time in `timeZone`. */
function zoneOffsetAt(instant: number, timeZone: string): number {
  // Every hold timer is written in UTC: skip the formatter (the costliest step of a CreateSchedule).
  if (timeZone === 'UTC') return 0;
  const parts = Object.fromEntries(
    zoneFormatter(timeZone)
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  const wall = utcMillis(
    Number(parts.year),
    Number(parts.month),
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  // The formatter has second precision: compare against the instant truncated to the second.
  return wall - (instant - (((instant % 1000) + 1000) % 1000));
}

/**
 * The instant a wall-clock time in `timeZone` denotes. A time repeated when clocks go back resolves
 * to its first occurrence; a time skipped when clocks go forward resolves to the same distance past
 * the gap (the usual "compatible" rule).
 */
function zonedToInstant(local: LocalDateTime, timeZone: string): Date {
  const wall = utcMillis(local.year, local.month, local.day, local.hour, local.minute, local.second);
  const day = 86_400_000;
  const offsetBefore = zoneOffsetAt(wall - day, timeZone);
  const offsetAfter = zoneOffsetAt(wall + day, timeZone);
  const candidates = [wall - offsetBefore, wall - offsetAfter].filter(
    (instant) => instant + zoneOffsetAt(instant, timeZone) === wall,
  );
  return new Date(candidates.length > 0 ? Math.min(...candidates) : wall - offsetBefore);
}

// ---------------------------------------------------------------------------------------------
// Views returned by the API

export interface ScheduleView {
  Arn: string;
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  FlexibleTimeWindow: ScheduleRequest['FlexibleTimeWindow'];
  Target: ScheduleTarget;
  ActionAfterCompletion: NonNullable<ScheduleRequest['ActionAfterCompletion']>;
  State: ScheduleState;
  Description?: string;
  StartDate?: number;
  EndDate?: number;
  KmsKeyArn?: string;
  /** Epoch seconds, as the REST-JSON protocol carries timestamps. */
  CreationDate: number;
  LastModificationDate: number;
}

export interface ScheduleSummaryView {
  Arn: string;
  Name: string;
  GroupName: string;
  State: ScheduleState;
  CreationDate: number;
  LastModificationDate: number;
  Target: { Arn: string };
}

export interface ListSchedulesView {
  Schedules: ScheduleSummaryView[];
  NextToken?: string;
}

// ---------------------------------------------------------------------------------------------
// Firing

export interface InvokeMeta {
  scheduleName: string;
  groupName: string;
  scheduleArn: string;
  /** The time the schedule was due (its `at()` time), not the time it fired. */
  scheduledTime: Date;
  executionId: string;
  attemptNumber: number;
}

/** Delivers one attempt to the target; throwing means the attempt failed and may be retried. */
export type InvokeTarget = (targetArn: string, input: string, meta: InvokeMeta) => Promise<unknown>;

export interface FireResult {
  scheduleArn: string;
  scheduleName: string;
  groupName: string;
  scheduledTime: Date;
  firedAt: Date;
  outcome: 'delivered' | 'dead-lettered';
  attempts: number;
  executionIds: string[];
}

export interface DeadLetter {
  scheduleArn: string;
  scheduleName: string;
  groupName: string;
  targetArn: string;
  /** The SQS queue AWS would send the event to; without one, AWS drops the event. */
  deadLetterQueueArn: string | undefined;
  /** The input of the last attempt, context attributes substituted. */
  input: string;
  scheduledTime: Date;
  failedAt: Date;
  attempts: number;
  errorMessage: string;
}

// ---------------------------------------------------------------------------------------------
// The scheduler

interface StoredSchedule {
  readonly key: string;
  readonly arn: string;
  readonly name: string;
  readonly groupName: string;
  readonly request: ScheduleRequest;
  /** Set for `at()` schedules only: the only kind this local scheduler fires. */
  readonly fireAt: Date | undefined;
  readonly createdAt: Date;
  readonly modifiedAt: Date;
  readonly clientToken: string | undefined;
  readonly fingerprint: string;
  /**
   * Every create or update stores a new object, so object identity tells whether the schedule
   * that fired is still the one in the store once its (async) target returns.
   */
  status: 'pending' | 'firing' | 'completed';
}

interface InjectedFault {
  errorName: SchedulerErrorName;
  remaining: number;
}

export interface LocalSchedulerOptions {
  invoke: InvokeTarget;
  accountId?: string;
  region?: string;
  /** Stamps CreationDate and LastModificationDate; pass the runtime's virtual clock. */
  clock?: Clock;
}

export class LocalScheduler {
  readonly accountId: string;
  readonly region: string;
  private readonly invoke: InvokeTarget;
  private readonly clock: Clock;
  private readonly groups = new Set<string>([DEFAULT_GROUP]);
  private readonly schedules = new Map<string, StoredSchedule>();
  /** Client tokens of recent deletes (the SDK sends one on every call), so a retry succeeds again. */
  private readonly deleteTokens = new Map<string, string>();
  private readonly faults = new Map<SchedulerOperation, InjectedFault[]>();
  private readonly deadLetterList: DeadLetter[] = [];

  constructor(options: LocalSchedulerOptions) {
    this.invoke = options.invoke;
    this.accountId = options.accountId ?? '000000000000';
    this.region = options.region ?? 'us-east-1';
    this.clock = options.clock ?? systemClock;
  }

  /** Events whose every attempt failed, oldest first. */
  get deadLetters(): readonly DeadLetter[] {
    return this.deadLetterList;
  }

  createGroup(name: string): void {
    parseOrThrow(groupName, name);
    this.groups.add(name);
  }

  /** Makes the next `count` calls of `operation` fail with `errorName`, before any other check. */
  failNext(operation: SchedulerOperation, errorName: SchedulerErrorName, count = 1): void {
    const queue = this.faults.get(operation) ?? [];
    queue.push({ errorName, remaining: count });
    this.faults.set(operation, queue);
  }

  size(): number {
    return this.schedules.size;
  }

  /** Every stored schedule as GetSchedule returns it, optionally of one group. */
  list(groupName?: string): ScheduleView[] {
    return this.sortedSchedules()
      .filter((schedule) => groupName === undefined || schedule.groupName === groupName)
      .map(toView);
  }

  createSchedule(input: unknown): { ScheduleArn: string } {
    this.throwInjectedFault('CreateSchedule');
    const { request, fireAt } = this.validateScheduleRequest(input);
    const key = scheduleKey(request.GroupName ?? DEFAULT_GROUP, request.Name);
    const fingerprint = fingerprintOf(request);
    const existing = this.schedules.get(key);
    if (existing) {
      const isRetry = request.ClientToken !== undefined && existing.clientToken === request.ClientToken;
      if (isRetry && existing.fingerprint === fingerprint) return { ScheduleArn: existing.arn };
      throw new SchedulerError('ConflictException', `Schedule ${request.Name} already exists.`);
    }
    const now = this.clock.now();
    const schedule = this.store(request, fireAt, fingerprint, now, now);
    return { ScheduleArn: schedule.arn };
  }

  getSchedule(input: unknown): ScheduleView {
    this.throwInjectedFault('GetSchedule');
    const request = parseOrThrow(scheduleKeySchema, input);
    return toView(this.existingSchedule(request.Name, request.GroupName));
  }

  /** Replaces the whole schedule, as AWS does: members left out fall back to their defaults. */
  updateSchedule(input: unknown): { ScheduleArn: string } {
    this.throwInjectedFault('UpdateSchedule');
    const { request, fireAt } = this.validateScheduleRequest(input);
    const existing = this.existingSchedule(request.Name, request.GroupName);
    const schedule = this.store(
      request,
      fireAt,
      fingerprintOf(request),
      existing.createdAt,
      this.clock.now(),
    );
    return { ScheduleArn: schedule.arn };
  }

  deleteSchedule(input: unknown): Record<string, never> {
    this.throwInjectedFault('DeleteSchedule');
    const request = parseOrThrow(scheduleKeySchema, input);
    const key = scheduleKey(request.GroupName ?? DEFAULT_GROUP, request.Name);
    const isRetry = request.ClientToken !== undefined && this.deleteTokens.get(request.ClientToken) === key;
    if (isRetry && !this.schedules.has(key)) return {};
    this.existingSchedule(request.Name, request.GroupName);
    this.schedules.delete(key);
    if (request.ClientToken !== undefined) this.rememberDeleteToken(request.ClientToken, key);
    return {};
  }

  listSchedules(input: unknown): ListSchedulesView {
    this.throwInjectedFault('ListSchedules');
    const request = parseOrThrow(listRequestSchema, input);
    if (request.GroupName !== undefined) this.assertGroupExists(request.GroupName);
    const after = request.NextToken === undefined ? undefined : decodeNextToken(request.NextToken);
    const matching = this.sortedSchedules().filter(
      (schedule) =>
        (request.GroupName === undefined || schedule.groupName === request.GroupName) &&
        (request.NamePrefix === undefined || schedule.name.startsWith(request.NamePrefix)) &&
        (request.State === undefined || stateOf(schedule) === request.State) &&
        (after === undefined || compareKeys(schedule, after) > 0),
    );
    const pageSize = request.MaxResults ?? MAX_PAGE_SIZE;
    const page = matching.slice(0, pageSize);
    const last = page.at(-1);
    const hasMore = matching.length > pageSize && last !== undefined;
    return { Schedules: page.map(toSummary), ...(hasMore ? { NextToken: encodeNextToken(last) } : {}) };
  }

  /**
   * Fires every enabled `at()` schedule due at `now`, in time order (ties by name), one after the
   * other. Schedules that handlers create or re-arm to a time at or before `now` fire in a later
   * round of the same call, each at most MAX_FIRES_PER_SCHEDULE_PER_CALL times.
   */
  async fireDue(now: Date): Promise<FireResult[]> {
    const results: FireResult[] = [];
    const firesPerKey = new Map<string, number>();
    for (;;) {
      const due = this.dueSchedules(now).filter(
        (schedule) => (firesPerKey.get(schedule.key) ?? 0) < MAX_FIRES_PER_SCHEDULE_PER_CALL,
      );
      if (due.length === 0) return results;
      for (const schedule of due) {
        // An earlier target in this round may have deleted, updated or disabled it.
        if (!this.isDue(schedule, now)) continue;
        firesPerKey.set(schedule.key, (firesPerKey.get(schedule.key) ?? 0) + 1);
        results.push(await this.fire(schedule, now));
      }
    }
  }

  /** When the earliest pending `at()` schedule is due: the local runtime steps its clock to it. */
  nextFireAt(): Date | undefined {
    let earliest: Date | undefined;
    for (const schedule of this.schedules.values()) {
      if (!this.isDue(schedule, new Date(8.64e15))) continue;
      if (schedule.fireAt && (!earliest || schedule.fireAt < earliest)) earliest = schedule.fireAt;
    }
    return earliest;
  }

  // -------------------------------------------------------------------------------------------

  private throwInjectedFault(operation: SchedulerOperation): void {
    const fault = this.faults.get(operation)?.[0];
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.get(operation)?.shift();
    throw new SchedulerError(fault.errorName, `Injected ${fault.errorName} for ${operation}.`);
  }

  private rememberDeleteToken(token: string, key: string): void {
    this.deleteTokens.set(token, key);
    const oldest = this.deleteTokens.keys().next();
    if (this.deleteTokens.size > MAX_REMEMBERED_DELETE_TOKENS && !oldest.done)
      this.deleteTokens.delete(oldest.value);
  }

  private validateScheduleRequest(input: unknown): { request: ScheduleRequest; fireAt: Date | undefined } {
    const request = parseOrThrow(scheduleRequestSchema, input);
    const timeZone = request.ScheduleExpressionTimezone ?? DEFAULT_TIMEZONE;
    assertKnownTimezone(timeZone);
    const expression = parseScheduleExpression(request.ScheduleExpression);
    assertFlexibleWindow(request.FlexibleTimeWindow);
    assertDateRange(request.StartDate, request.EndDate);
    this.assertGroupExists(request.GroupName ?? DEFAULT_GROUP);
    const fireAt = expression.kind === 'at' ? zonedToInstant(expression.local, timeZone) : undefined;
    return { request, fireAt };
  }

  private assertGroupExists(name: string): void {
    if (!this.groups.has(name)) {
      throw new SchedulerError('ResourceNotFoundException', `Schedule group ${name} does not exist.`);
    }
  }

  private existingSchedule(name: string, group: string | undefined): StoredSchedule {
    const groupName = group ?? DEFAULT_GROUP;
    this.assertGroupExists(groupName);
    const schedule = this.schedules.get(scheduleKey(groupName, name));
    if (!schedule) throw new SchedulerError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
    return schedule;
  }

  private store(
    request: ScheduleRequest,
    fireAt: Date | undefined,
    fingerprint: string,
    createdAt: Date,
    modifiedAt: Date,
  ): StoredSchedule {
    const groupName = request.GroupName ?? DEFAULT_GROUP;
    const schedule: StoredSchedule = {
      key: scheduleKey(groupName, request.Name),
      arn: `arn:aws:scheduler:${this.region}:${this.accountId}:schedule/${groupName}/${request.Name}`,
      name: request.Name,
      groupName,
      request: structuredClone(request),
      fireAt,
      createdAt,
      modifiedAt,
      clientToken: request.ClientToken,
      fingerprint,
      status: 'pending',
    };
    this.schedules.set(schedule.key, schedule);
    return schedule;
  }

  private sortedSchedules(): StoredSchedule[] {
    return [...this.schedules.values()].sort(compareKeys);
  }

  private isDue(schedule: StoredSchedule, now: Date): boolean {
    return (
      this.schedules.get(schedule.key) === schedule &&
      schedule.status === 'pending' &&
      stateOf(schedule) === 'ENABLED' &&
      schedule.fireAt !== undefined &&
      schedule.fireAt.getTime() <= now.getTime()
    );
  }

  private dueSchedules(now: Date): StoredSchedule[] {
    return [...this.schedules.values()]
      .filter((schedule) => this.isDue(schedule, now))
      .sort(
        (a, b) =>
          (a.fireAt?.getTime() ?? 0) - (b.fireAt?.getTime() ?? 0) ||
          compareText(a.name, b.name) ||
          compareText(a.groupName, b.groupName),
      );
  }

  private async fire(schedule: StoredSchedule, now: Date): Promise<FireResult> {
    schedule.status = 'firing';
    const scheduledTime = schedule.fireAt ?? now;
    const delivery = await this.deliver(schedule, scheduledTime, now);
    this.complete(schedule);
    return {
      scheduleArn: schedule.arn,
      scheduleName: schedule.name,
      groupName: schedule.groupName,
      scheduledTime,
      firedAt: now,
      ...delivery,
    };
  }

  /** Tries the target once plus MaximumRetryAttempts times, then dead-letters the event. */
  private async deliver(
    schedule: StoredSchedule,
    scheduledTime: Date,
    now: Date,
  ): Promise<Pick<FireResult, 'outcome' | 'attempts' | 'executionIds'>> {
    const { Target: target } = schedule.request;
    const maxAttempts =
      1 + (target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY_POLICY.MaximumRetryAttempts);
    const executionIds: string[] = [];
    let input = '';
    let lastError: unknown;
    for (let attemptNumber = 1; attemptNumber <= maxAttempts; attemptNumber += 1) {
      const executionId = randomBytes(8).toString('hex');
      executionIds.push(executionId);
      input = substituteContextAttributes(target.Input ?? '{}', {
        scheduleArn: schedule.arn,
        scheduledTime,
        executionId,
        attemptNumber,
      });
      const meta: InvokeMeta = {
        scheduleName: schedule.name,
        groupName: schedule.groupName,
        scheduleArn: schedule.arn,
        scheduledTime,
        executionId,
        attemptNumber,
      };
      try {
        await this.invoke(target.Arn, input, meta);
        return { outcome: 'delivered', attempts: attemptNumber, executionIds };
      } catch (error) {
        lastError = error;
      }
    }
    this.deadLetterList.push({
      scheduleArn: schedule.arn,
      scheduleName: schedule.name,
      groupName: schedule.groupName,
      targetArn: target.Arn,
      deadLetterQueueArn: target.DeadLetterConfig?.Arn,
      input,
      scheduledTime,
      failedAt: now,
      attempts: maxAttempts,
      errorMessage: lastError instanceof Error ? lastError.message : String(lastError),
    });
    return { outcome: 'dead-lettered', attempts: maxAttempts, executionIds };
  }

  /**
   * Applies ActionAfterCompletion, unless the target replaced or deleted the schedule while it
   * ran: a schedule re-armed by its own handler is a new schedule and must survive.
   */
  private complete(schedule: StoredSchedule): void {
    if (this.schedules.get(schedule.key) !== schedule) return;
    if (schedule.request.ActionAfterCompletion === 'DELETE') this.schedules.delete(schedule.key);
    else schedule.status = 'completed';
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

const scheduleKey = (group: string, name: string): string => `${group}/${name}`;

const stateOf = (schedule: StoredSchedule): ScheduleState => schedule.request.State ?? 'ENABLED';

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const compareKeys = (
  a: { groupName: string; name: string },
  b: { groupName: string; name: string },
): number => compareText(a.groupName, b.groupName) || compareText(a.name, b.name);

const toEpochSeconds = (date: Date): number => date.getTime() / 1000;

function assertFlexibleWindow(window: ScheduleRequest['FlexibleTimeWindow']): void {
  if (window.Mode === 'FLEXIBLE' && window.MaximumWindowInMinutes === undefined) {
    throw invalid(
      'FlexibleTimeWindow.MaximumWindowInMinutes is required when FlexibleTimeWindow.Mode is FLEXIBLE.',
    );
  }
}

function assertDateRange(startDate: number | undefined, endDate: number | undefined): void {
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
    throw invalid('The EndDate you specify must be after the StartDate.');
  }
}

/** Same request, same fingerprint: what makes a CreateSchedule with a reused ClientToken a retry. */
function fingerprintOf(request: ScheduleRequest): string {
  const { ClientToken: _token, ...rest } = request;
  return canonicalJson(rest);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => compareText(a, b));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function substituteContextAttributes(
  input: string,
  context: { scheduleArn: string; scheduledTime: Date; executionId: string; attemptNumber: number },
): string {
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', context.scheduleArn)
    .replaceAll('<aws.scheduler.scheduled-time>', toIsoSeconds(context.scheduledTime))
    .replaceAll('<aws.scheduler.execution-id>', context.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(context.attemptNumber));
}

function toView(schedule: StoredSchedule): ScheduleView {
  const { request } = schedule;
  const target = structuredClone(request.Target);
  return {
    Arn: schedule.arn,
    Name: schedule.name,
    GroupName: schedule.groupName,
    ScheduleExpression: request.ScheduleExpression,
    ScheduleExpressionTimezone: request.ScheduleExpressionTimezone ?? DEFAULT_TIMEZONE,
    FlexibleTimeWindow: { ...request.FlexibleTimeWindow },
    Target: { ...target, RetryPolicy: { ...DEFAULT_RETRY_POLICY, ...target.RetryPolicy } },
    ActionAfterCompletion: request.ActionAfterCompletion ?? 'NONE',
    State: stateOf(schedule),
    Description: request.Description,
    StartDate: request.StartDate,
    EndDate: request.EndDate,
    KmsKeyArn: request.KmsKeyArn,
    CreationDate: toEpochSeconds(schedule.createdAt),
    LastModificationDate: toEpochSeconds(schedule.modifiedAt),
  };
}

function toSummary(schedule: StoredSchedule): ScheduleSummaryView {
  return {
    Arn: schedule.arn,
    Name: schedule.name,
    GroupName: schedule.groupName,
    State: stateOf(schedule),
    CreationDate: toEpochSeconds(schedule.createdAt),
    LastModificationDate: toEpochSeconds(schedule.modifiedAt),
    Target: { Arn: schedule.request.Target.Arn },
  };
}

/** The token names the last key returned, so pages stay consistent while schedules come and go. */
const encodeNextToken = (last: StoredSchedule): string =>
  Buffer.from(JSON.stringify([last.groupName, last.name])).toString('base64url');

const nextTokenSchema = z.tuple([z.string(), z.string()]);

function decodeNextToken(token: string): { groupName: string; name: string } {
  try {
    const [group, name] = nextTokenSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return { groupName: group, name };
  } catch {
    throw invalid('Invalid NextToken.');
  }
}
