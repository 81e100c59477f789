/**
 * The local EventBridge Scheduler, driven only through the real `@aws-sdk/client-scheduler` over
 * HTTP: if these pass, the production adapter runs unchanged against the local runtime.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type ListSchedulesCommandInput,
  paginateListSchedules,
  ResourceNotFoundException,
  SchedulerClient,
  SchedulerServiceException,
  type Target,
  ThrottlingException,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InProcessSchedulerHandler } from '../../local/scheduler/in-process-handler.ts';
import {
  type InvokeMeta,
  LocalScheduler,
  MAX_FIRES_PER_SCHEDULE_PER_CALL,
} from '../../local/scheduler/local-scheduler.ts';
import { type LocalSchedulerServer, startLocalSchedulerServer } from '../../local/scheduler/server.ts';
import { VirtualClock } from '../../shared/clock.ts';

const ACCOUNT = '123456789012';
const LAMBDA_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:hold-timer`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/hold-timer-scheduler`;
const DLQ_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:hold-timer-dlq`;
const GROUP = 'holds';
const T0 = new Date('2026-03-01T12:00:00Z');

interface Invocation {
  targetArn: string;
  input: string;
  meta: InvokeMeta;
}

let clock: VirtualClock;
let scheduler: LocalScheduler;
let server: LocalSchedulerServer | undefined;
let client: SchedulerClient;
let invocations: Invocation[];
/** What the target does on each attempt; tests replace it (throw to fail the attempt). */
let onInvoke: (invocation: Invocation) => Promise<void>;

beforeEach(async () => {
  clock = new VirtualClock({ start: T0 });
  invocations = [];
  onInvoke = async () => {};
  scheduler = new LocalScheduler({
    accountId: ACCOUNT,
    clock,
    invoke: async (targetArn, input, meta) => {
      const invocation = { targetArn, input, meta };
      invocations.push(invocation);
      await onInvoke(invocation);
    },
  });
  scheduler.createGroup(GROUP);
  server = transport === 'http' ? await startLocalSchedulerServer(scheduler, { port: 0 }) : undefined;
  client = clientFor();
});

afterEach(async () => {
  client.destroy();
  await server?.close();
});

/**
 * Every test runs twice: over HTTP (server.ts, for clients outside the process) and in process
 * (in-process-handler.ts, the local runtime's own client): both transports must answer alike.
 */
const TRANSPORTS = ['http', 'in-process'] as const;
let transport: (typeof TRANSPORTS)[number] = 'http';

const clientFor = (retryStrategy?: ConfiguredRetryStrategy) =>
  new SchedulerClient({
    ...(server
      ? { endpoint: server.url }
      : { endpoint: 'http://scheduler.local', requestHandler: new InProcessSchedulerHandler(scheduler) }),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(retryStrategy ? { retryStrategy } : { maxAttempts: 1 }),
  });

const minutes = (count: number): number => count * 60_000;
const afterT0 = (ms: number): Date => new Date(T0.getTime() + ms);
/** `at()` as the production adapter writes it: UTC wall time, second precision, no zone suffix. */
const atExpression = (date: Date): string => `at(${date.toISOString().slice(0, 19)})`;

const holdTarget = (input: object, overrides: Partial<Target> = {}): Target => ({
  Arn: LAMBDA_ARN,
  RoleArn: ROLE_ARN,
  Input: JSON.stringify(input),
  RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 },
  DeadLetterConfig: { Arn: DLQ_ARN },
  ...overrides,
});

/** A hold timer as the design prescribes: one-shot, UTC, window off, deleted after completion. */
const oneShot = (
  name: string,
  at: Date,
  overrides: Partial<CreateScheduleCommandInput> = {},
): CreateScheduleCommandInput => ({
  Name: name,
  GroupName: GROUP,
  ScheduleExpression: atExpression(at),
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: holdTarget({ holdId: name, step: 'release-due', at: '<aws.scheduler.scheduled-time>' }),
  ...overrides,
});

/** The SDK's types forbid what these tests must send; rejecting it is the server's job. */
const unchecked = <T>(value: unknown): T => value as T;

const create = (input: CreateScheduleCommandInput) => client.send(new CreateScheduleCommand(input));
const get = (name: string, group = GROUP) =>
  client.send(new GetScheduleCommand({ Name: name, GroupName: group }));

async function rejection(promise: Promise<unknown>): Promise<SchedulerServiceException> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (outcome instanceof SchedulerServiceException) return outcome;
  throw new Error(`expected a Scheduler service error, got ${String(outcome)}`);
}

const firedNames = () => invocations.map((invocation) => invocation.meta.scheduleName);

describe.each(TRANSPORTS)('the Scheduler API %s', (name) => {
  beforeAll(() => {
    transport = name;
  });

  describe('schedule CRUD through the SDK', () => {
    it('creates a schedule and returns it from GetSchedule with every member', async () => {
      const { ScheduleArn } = await create(
        oneShot('01HOLD', afterT0(minutes(30)), { Description: 'hold 01' }),
      );

      expect(ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/${GROUP}/01HOLD`);
      const schedule = await get('01HOLD');
      expect(schedule).toMatchObject({
        Arn: ScheduleArn,
        Name: '01HOLD',
        GroupName: GROUP,
        ScheduleExpression: 'at(2026-03-01T12:30:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        State: 'ENABLED',
        Description: 'hold 01',
        Target: holdTarget({ holdId: '01HOLD', step: 'release-due', at: '<aws.scheduler.scheduled-time>' }),
      });
      expect(schedule.CreationDate).toEqual(T0);
      expect(schedule.LastModificationDate).toEqual(T0);
    });

    it('fills in the defaults for members left out', async () => {
      await create({
        Name: 'minimal',
        ScheduleExpression: 'at(2026-03-01T13:00:00)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: LAMBDA_ARN, RoleArn: ROLE_ARN },
      });

      expect(await get('minimal', 'default')).toMatchObject({
        GroupName: 'default',
        ScheduleExpressionTimezone: 'UTC',
        State: 'ENABLED',
        ActionAfterCompletion: 'NONE',
        Target: { RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 } },
      });
    });

    it('treats a repeated create with the same ClientToken and request as a retry', async () => {
      const input = oneShot('retried', afterT0(minutes(5)), { ClientToken: 'token-1' });
      const first = await create(input);
      const second = await create(input);

      expect(second.ScheduleArn).toBe(first.ScheduleArn);
      expect(scheduler.size()).toBe(1);
    });

    it('rejects a second schedule of the same name in the group with ConflictException 409', async () => {
      await create(oneShot('taken', afterT0(minutes(5)), { ClientToken: 'token-1' }));
      const error = await rejection(
        create(oneShot('taken', afterT0(minutes(9)), { ClientToken: 'token-1' })),
      );

      expect(error).toBeInstanceOf(ConflictException);
      expect(error.$metadata.httpStatusCode).toBe(409);
      // Same name in another group is a different schedule.
      await create(oneShot('taken', afterT0(minutes(5)), { GroupName: 'default' }));
      expect(scheduler.size()).toBe(2);
    });

    it('UpdateSchedule replaces the whole schedule: members not sent are gone', async () => {
      await create(oneShot('replace-me', afterT0(minutes(5)), { Description: 'first', State: 'DISABLED' }));
      clock.advance(minutes(1));
      const { ScheduleArn } = await client.send(
        new UpdateScheduleCommand({
          Name: 'replace-me',
          GroupName: GROUP,
          ScheduleExpression: 'at(2026-03-01T14:00:00)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: LAMBDA_ARN, RoleArn: ROLE_ARN },
        }),
      );

      const schedule = await get('replace-me');
      expect(schedule.Arn).toBe(ScheduleArn);
      expect(schedule.ScheduleExpression).toBe('at(2026-03-01T14:00:00)');
      expect(schedule.Description).toBeUndefined();
      expect(schedule.State).toBe('ENABLED');
      expect(schedule.ActionAfterCompletion).toBe('NONE');
      expect(schedule.Target?.Input).toBeUndefined();
      expect(schedule.Target?.DeadLetterConfig).toBeUndefined();
      expect(schedule.CreationDate).toEqual(T0);
      expect(schedule.LastModificationDate).toEqual(afterT0(minutes(1)));
    });

    it('deletes a schedule; a retried delete with the same ClientToken succeeds again', async () => {
      await create(oneShot('doomed', afterT0(minutes(5))));
      const deletion = new DeleteScheduleCommand({ Name: 'doomed', GroupName: GROUP, ClientToken: 'del-1' });
      await client.send(deletion);
      await client.send(deletion);

      expect(scheduler.size()).toBe(0);
      expect(await rejection(get('doomed'))).toBeInstanceOf(ResourceNotFoundException);
    });

    it.each([
      ['GetSchedule', () => get('ghost')],
      ['DeleteSchedule', () => client.send(new DeleteScheduleCommand({ Name: 'ghost', GroupName: GROUP }))],
      ['UpdateSchedule', () => client.send(new UpdateScheduleCommand(oneShot('ghost', afterT0(minutes(5)))))],
    ])('%s of a missing schedule is ResourceNotFoundException 404', async (_operation, call) => {
      const error = await rejection(call());

      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.$metadata.httpStatusCode).toBe(404);
    });

    it('rejects an unknown schedule group with ResourceNotFoundException until the group exists', async () => {
      const error = await rejection(create(oneShot('h1', afterT0(minutes(5)), { GroupName: 'other' })));
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.message).toMatch(/group other/);

      scheduler.createGroup('other');
      await create(oneShot('h1', afterT0(minutes(5)), { GroupName: 'other' }));
      expect((await get('h1', 'other')).GroupName).toBe('other');
    });
  });

  describe('validation, as AWS applies it', () => {
    const valid = oneShot('valid', afterT0(minutes(5)));
    const withTarget = (overrides: Partial<Target>) => ({
      ...valid,
      Target: { ...holdTarget({}), ...overrides },
    });
    const withoutMember = (member: keyof CreateScheduleCommandInput) =>
      unchecked<CreateScheduleCommandInput>(
        Object.fromEntries(Object.entries(valid).filter(([key]) => key !== member)),
      );

    it.each<[string, CreateScheduleCommandInput, RegExp]>([
      ['a name longer than 64', { ...valid, Name: 'h'.repeat(65) }, /at 'name'.*less than or equal to 64/],
      ['a name with a character outside [0-9a-zA-Z-_.]', { ...valid, Name: 'hold:01' }, /at 'name'.*pattern/],
      ['a group name with a slash', { ...valid, GroupName: 'a/b' }, /at 'groupName'/],
      ['an empty group name', { ...valid, GroupName: '' }, /at 'groupName'/],
      [
        'an at() time with Z',
        { ...valid, ScheduleExpression: 'at(2026-03-01T12:30:00Z)' },
        /Schedule Expression/,
      ],
      [
        'an at() time with an offset',
        { ...valid, ScheduleExpression: 'at(2026-03-01T12:30:00+01:00)' },
        /Schedule Expression/,
      ],
      [
        'an at() time with milliseconds',
        { ...valid, ScheduleExpression: 'at(2026-03-01T12:30:00.000)' },
        /Schedule Expression/,
      ],
      [
        'an at() date that does not exist',
        { ...valid, ScheduleExpression: 'at(2026-02-29T12:00:00)' },
        /not a valid date/,
      ],
      ['an at() hour of 24', { ...valid, ScheduleExpression: 'at(2026-03-01T24:00:00)' }, /not a valid date/],
      [
        'an expression of no known kind',
        { ...valid, ScheduleExpression: 'every 5 minutes' },
        /Schedule Expression/,
      ],
      ['a rate() without a unit', { ...valid, ScheduleExpression: 'rate(5)' }, /Schedule Expression/],
      [
        'a cron() with five fields',
        { ...valid, ScheduleExpression: 'cron(0 12 * * ?)' },
        /Schedule Expression/,
      ],
      [
        'an unknown time zone',
        { ...valid, ScheduleExpressionTimezone: 'Mars/Olympus_Mons' },
        /ScheduleExpressionTimezone/,
      ],
      [
        'a UTC offset as time zone',
        { ...valid, ScheduleExpressionTimezone: '+01:00' },
        /ScheduleExpressionTimezone/,
      ],
      [
        'no FlexibleTimeWindow',
        withoutMember('FlexibleTimeWindow'),
        /at 'flexibleTimeWindow'.*must not be null/,
      ],
      [
        'an unknown window mode',
        { ...valid, FlexibleTimeWindow: { Mode: unchecked('SOMETIMES') } },
        /at 'flexibleTimeWindow.mode'/,
      ],
      [
        'FLEXIBLE without a window',
        { ...valid, FlexibleTimeWindow: { Mode: 'FLEXIBLE' } },
        /MaximumWindowInMinutes/,
      ],
      [
        'a window over 1440 minutes',
        { ...valid, FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1441 } },
        /at 'flexibleTimeWindow.maximumWindowInMinutes'/,
      ],
      ['no Target', withoutMember('Target'), /at 'target'.*must not be null/],
      ['an empty Target.Arn', withTarget({ Arn: '' }), /at 'target.arn'/],
      ['a Target.Arn that is not an ARN', withTarget({ Arn: 'hold-timer' }), /at 'target.arn'/],
      [
        'no Target.RoleArn',
        withTarget({ RoleArn: unchecked(undefined) }),
        /at 'target.roleArn'.*must not be null/,
      ],
      ['a Target.RoleArn that is not a role', withTarget({ RoleArn: LAMBDA_ARN }), /at 'target.roleArn'/],
      [
        'a MaximumEventAgeInSeconds under 60',
        withTarget({ RetryPolicy: { MaximumEventAgeInSeconds: 59 } }),
        /at 'target.retryPolicy.maximumEventAgeInSeconds'.*greater than or equal to 60/,
      ],
      [
        'a MaximumEventAgeInSeconds over 86400',
        withTarget({ RetryPolicy: { MaximumEventAgeInSeconds: 86_401 } }),
        /at 'target.retryPolicy.maximumEventAgeInSeconds'/,
      ],
      [
        'a MaximumRetryAttempts over 185',
        withTarget({ RetryPolicy: { MaximumRetryAttempts: 186 } }),
        /at 'target.retryPolicy.maximumRetryAttempts'.*less than or equal to 185/,
      ],
      [
        'a negative MaximumRetryAttempts',
        withTarget({ RetryPolicy: { MaximumRetryAttempts: -1 } }),
        /at 'target.retryPolicy.maximumRetryAttempts'/,
      ],
      [
        'a dead-letter queue that is not an SQS ARN',
        withTarget({ DeadLetterConfig: { Arn: LAMBDA_ARN } }),
        /at 'target.deadLetterConfig.arn'/,
      ],
      ['an Input over 8192 characters', withTarget({ Input: 'x'.repeat(8193) }), /at 'target.input'/],
      ['an empty Input', withTarget({ Input: '' }), /at 'target.input'/],
      [
        'an unknown ActionAfterCompletion',
        { ...valid, ActionAfterCompletion: unchecked('KEEP') },
        /at 'actionAfterCompletion'/,
      ],
      ['an unknown State', { ...valid, State: unchecked('PAUSED') }, /at 'state'/],
      ['a Description over 512 characters', { ...valid, Description: 'd'.repeat(513) }, /at 'description'/],
      ['a ClientToken with punctuation', { ...valid, ClientToken: 'token!' }, /at 'clientToken'/],
      [
        'an EndDate before the StartDate',
        { ...valid, StartDate: afterT0(minutes(10)), EndDate: T0 },
        /EndDate/,
      ],
    ])('rejects %s with ValidationException 400 naming the field', async (_case, input, field) => {
      const error = await rejection(create(input));

      expect(error).toBeInstanceOf(ValidationException);
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toMatch(field);
      expect(scheduler.size()).toBe(0);
    });

    it('accepts the boundaries of every range', async () => {
      await create({
        ...valid,
        Name: 'n'.repeat(64),
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 1440 },
        Target: holdTarget(
          {},
          {
            Input: 'x'.repeat(8192),
            RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 185 },
          },
        ),
      });
      await create({
        ...valid,
        Name: 'a-b_c.D9',
        Target: holdTarget(
          {},
          { RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 0 } },
        ),
      });
      await create({ ...valid, Name: 'rate', ScheduleExpression: 'rate(5 minutes)' });
      await create({ ...valid, Name: 'cron', ScheduleExpression: 'cron(0 12 ? * MON-FRI *)' });

      expect(scheduler.size()).toBe(4);
    });

    it('validates UpdateSchedule the same way and leaves the schedule unchanged', async () => {
      await create(valid);
      const error = await rejection(
        client.send(new UpdateScheduleCommand({ ...valid, ScheduleExpression: 'at(2026-03-01T12:30:00Z)' })),
      );

      expect(error).toBeInstanceOf(ValidationException);
      expect((await get('valid')).ScheduleExpression).toBe(valid.ScheduleExpression);
    });

    it('rejects an invalid name on GetSchedule and DeleteSchedule', async () => {
      expect(await rejection(get('bad name'))).toBeInstanceOf(ValidationException);
      const error = await rejection(client.send(new DeleteScheduleCommand({ Name: 'x'.repeat(65) })));
      expect(error).toBeInstanceOf(ValidationException);
    });

    it.each<[string, ListSchedulesCommandInput, RegExp]>([
      ['MaxResults 0', { MaxResults: 0 }, /at 'maxResults'/],
      ['MaxResults 101', { MaxResults: 101 }, /at 'maxResults'/],
      ['a NamePrefix with a space', { NamePrefix: 'a b' }, /at 'namePrefix'/],
      ['an unknown State', { State: unchecked('PAUSED') }, /at 'state'/],
      ['a forged NextToken', { NextToken: 'not-a-token' }, /NextToken/],
    ])('rejects ListSchedules with %s', async (_case, input, field) => {
      const error = await rejection(client.send(new ListSchedulesCommand(input)));

      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toMatch(field);
    });
  });

  describe('ListSchedules', () => {
    beforeEach(async () => {
      for (const name of ['h5', 'h3', 'h1', 'h7', 'h2', 'h6', 'h4'])
        await create(oneShot(name, afterT0(minutes(5))));
      await create(oneShot('x1', afterT0(minutes(5)), { State: 'DISABLED' }));
      await create(oneShot('h0', afterT0(minutes(5)), { GroupName: 'default' }));
    });

    it('pages through a group in name order with MaxResults and NextToken', async () => {
      const pages: string[][] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new ListSchedulesCommand({
            GroupName: GROUP,
            NamePrefix: 'h',
            MaxResults: 3,
            NextToken: nextToken,
          }),
        );
        pages.push((page.Schedules ?? []).map((schedule) => schedule.Name ?? ''));
        nextToken = page.NextToken;
      } while (nextToken);

      expect(pages).toEqual([['h1', 'h2', 'h3'], ['h4', 'h5', 'h6'], ['h7']]);
    });

    it('returns summaries with Arn, group, state, dates and target ARN', async () => {
      const { Schedules } = await client.send(new ListSchedulesCommand({ NamePrefix: 'x' }));

      expect(Schedules).toEqual([
        {
          Arn: `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/${GROUP}/x1`,
          Name: 'x1',
          GroupName: GROUP,
          State: 'DISABLED',
          CreationDate: T0,
          LastModificationDate: T0,
          Target: { Arn: LAMBDA_ARN },
        },
      ]);
    });

    it('filters by state and spans every group when none is given', async () => {
      const enabled = await client.send(new ListSchedulesCommand({ State: 'ENABLED' }));
      const names = (enabled.Schedules ?? []).map((schedule) => `${schedule.GroupName}/${schedule.Name}`);

      expect(names).toEqual(['default/h0', ...[1, 2, 3, 4, 5, 6, 7].map((n) => `${GROUP}/h${n}`)]);
    });

    it('works with the SDK paginator', async () => {
      const names: string[] = [];
      for await (const page of paginateListSchedules({ client, pageSize: 2 }, { GroupName: GROUP })) {
        names.push(...(page.Schedules ?? []).map((schedule) => schedule.Name ?? ''));
      }

      expect(names).toEqual(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'x1']);
    });

    it('rejects an unknown group with ResourceNotFoundException', async () => {
      const error = await rejection(client.send(new ListSchedulesCommand({ GroupName: 'nope' })));
      expect(error).toBeInstanceOf(ResourceNotFoundException);
    });
  });

  describe('injected faults', () => {
    it('fails the next calls with the injected ThrottlingException 429, then recovers', async () => {
      scheduler.failNext('CreateSchedule', 'ThrottlingException', 2);

      for (const attempt of [1, 2]) {
        const error = await rejection(create(oneShot(`throttled-${attempt}`, afterT0(minutes(5)))));
        expect(error).toBeInstanceOf(ThrottlingException);
        expect(error.$metadata.httpStatusCode).toBe(429);
      }
      await create(oneShot('throttled-3', afterT0(minutes(5))));
      expect(scheduler.list().map((schedule) => schedule.Name)).toEqual(['throttled-3']);
    });

    it('is absorbed by the SDK retrying with its idempotency token', async () => {
      const retrying = clientFor(new ConfiguredRetryStrategy(3, () => 0));
      scheduler.failNext('CreateSchedule', 'ThrottlingException', 2);

      const { $metadata } = await retrying.send(
        new CreateScheduleCommand(oneShot('h1', afterT0(minutes(5)))),
      );
      retrying.destroy();

      expect($metadata.attempts).toBe(3);
      expect(scheduler.size()).toBe(1);
    });

    it('only affects the named operation', async () => {
      scheduler.failNext('DeleteSchedule', 'InternalServerException');
      await create(oneShot('h1', afterT0(minutes(5))));

      const error = await rejection(client.send(new DeleteScheduleCommand({ Name: 'h1', GroupName: GROUP })));
      expect(error.name).toBe('InternalServerException');
      expect(error.$metadata.httpStatusCode).toBe(500);
      expect((await get('h1')).Name).toBe('h1');
    });
  });

  describe('fireDue on the virtual clock', () => {
    it('fires due schedules in time order, ties by name, and leaves later ones', async () => {
      await create(oneShot('c', afterT0(minutes(10))));
      await create(oneShot('a', afterT0(minutes(10))));
      await create(oneShot('b', afterT0(minutes(5))));
      await create(oneShot('d', afterT0(minutes(11))));

      const results = await scheduler.fireDue(afterT0(minutes(10)));

      expect(firedNames()).toEqual(['b', 'a', 'c']);
      expect(results.map((result) => [result.scheduleName, result.outcome])).toEqual([
        ['b', 'delivered'],
        ['a', 'delivered'],
        ['c', 'delivered'],
      ]);
      expect(results[0]?.scheduledTime).toEqual(afterT0(minutes(5)));
      expect(results[0]?.firedAt).toEqual(afterT0(minutes(10)));
      expect(scheduler.list().map((schedule) => schedule.Name)).toEqual(['d']);
    });

    it('calls the target with its ARN and substitutes the context attributes in Input', async () => {
      const at = afterT0(minutes(5));
      await create(
        oneShot('h1', at, {
          Target: holdTarget({
            time: '<aws.scheduler.scheduled-time>',
            arn: '<aws.scheduler.schedule-arn>',
            execution: '<aws.scheduler.execution-id>',
          }),
        }),
      );

      await scheduler.fireDue(at);

      const [invocation] = invocations;
      expect(invocation?.targetArn).toBe(LAMBDA_ARN);
      expect(JSON.parse(invocation?.input ?? '')).toEqual({
        time: '2026-03-01T12:05:00Z',
        arn: `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/${GROUP}/h1`,
        execution: invocation?.meta.executionId,
      });
      expect(invocation?.meta).toMatchObject({ scheduleName: 'h1', groupName: GROUP, scheduledTime: at });
    });

    it('does not fire a schedule before its time', async () => {
      await create(oneShot('h1', afterT0(minutes(5))));

      expect(await scheduler.fireDue(new Date(afterT0(minutes(5)).getTime() - 1000))).toEqual([]);
      expect(invocations).toEqual([]);
    });

    it.each([
      ['America/New_York', 'at(2026-03-01T09:00:00)', '2026-03-01T14:00:00Z'],
      ['America/New_York', 'at(2026-07-01T09:00:00)', '2026-07-01T13:00:00Z'],
      ['Asia/Kolkata', 'at(2026-03-01T19:30:00)', '2026-03-01T14:00:00Z'],
      ['UTC', 'at(2026-03-01T14:00:00)', '2026-03-01T14:00:00Z'],
    ])('reads at() as wall time in %s (%s is %s)', async (timeZone, expression, instant) => {
      await create(
        oneShot('tz', T0, { ScheduleExpression: expression, ScheduleExpressionTimezone: timeZone }),
      );
      const due = new Date(instant);

      expect(await scheduler.fireDue(new Date(due.getTime() - 1000))).toEqual([]);
      const [result] = await scheduler.fireDue(due);
      expect(result?.scheduledTime).toEqual(due);
    });

    it('deletes a DELETE schedule after it fires', async () => {
      await create(oneShot('h1', afterT0(minutes(5))));
      await scheduler.fireDue(afterT0(minutes(5)));

      expect(await rejection(get('h1'))).toBeInstanceOf(ResourceNotFoundException);
    });

    it('keeps a NONE schedule after it fires, but never fires it twice', async () => {
      await create(oneShot('h1', afterT0(minutes(5)), { ActionAfterCompletion: 'NONE' }));
      await scheduler.fireDue(afterT0(minutes(5)));
      await scheduler.fireDue(afterT0(minutes(6)));

      expect(invocations).toHaveLength(1);
      expect((await get('h1')).Name).toBe('h1');
    });

    it('fires neither DISABLED schedules nor rate() and cron() ones', async () => {
      await create(oneShot('off', afterT0(minutes(5)), { State: 'DISABLED' }));
      await create(oneShot('rate', T0, { ScheduleExpression: 'rate(1 minute)' }));
      await create(oneShot('cron', T0, { ScheduleExpression: 'cron(* * * * ? *)' }));

      expect(await scheduler.fireDue(afterT0(minutes(60)))).toEqual([]);
      await client.send(new UpdateScheduleCommand(oneShot('off', afterT0(minutes(5)))));
      expect((await scheduler.fireDue(afterT0(minutes(60)))).map((result) => result.scheduleName)).toEqual([
        'off',
      ]);
    });

    it('retries a failing target MaximumRetryAttempts times with a new execution id, then dead-letters', async () => {
      onInvoke = async () => {
        throw new Error('hold-timer crashed');
      };
      await create(
        oneShot('h1', afterT0(minutes(5)), {
          Target: holdTarget(
            { execution: '<aws.scheduler.execution-id>' },
            { RetryPolicy: { MaximumRetryAttempts: 2 } },
          ),
        }),
      );

      const [result] = await scheduler.fireDue(afterT0(minutes(5)));

      const executionIds = invocations.map((invocation) => invocation.meta.executionId);
      expect(invocations.map((invocation) => invocation.meta.attemptNumber)).toEqual([1, 2, 3]);
      expect(new Set(executionIds).size).toBe(3);
      expect(invocations.map((invocation) => JSON.parse(invocation.input).execution)).toEqual(executionIds);
      expect(result).toMatchObject({ outcome: 'dead-lettered', attempts: 3, executionIds });
      expect(scheduler.deadLetters).toEqual([
        expect.objectContaining({
          scheduleName: 'h1',
          groupName: GROUP,
          targetArn: LAMBDA_ARN,
          deadLetterQueueArn: DLQ_ARN,
          attempts: 3,
          errorMessage: 'hold-timer crashed',
          scheduledTime: afterT0(minutes(5)),
        }),
      ]);
      expect(scheduler.size()).toBe(0);
    });

    it('makes a single attempt when MaximumRetryAttempts is 0', async () => {
      onInvoke = async () => {
        throw new Error('down');
      };
      await create(
        oneShot('h1', afterT0(minutes(5)), {
          Target: holdTarget({}, { RetryPolicy: { MaximumRetryAttempts: 0 } }),
        }),
      );

      await scheduler.fireDue(afterT0(minutes(5)));

      expect(invocations).toHaveLength(1);
      expect(scheduler.deadLetters).toHaveLength(1);
    });

    it('delivers on a retry without dead-lettering', async () => {
      onInvoke = async ({ meta }) => {
        if (meta.attemptNumber === 1) throw new Error('cold start timeout');
      };
      await create(oneShot('h1', afterT0(minutes(5))));

      const [result] = await scheduler.fireDue(afterT0(minutes(5)));

      expect(result).toMatchObject({ outcome: 'delivered', attempts: 2 });
      expect(scheduler.deadLetters).toEqual([]);
    });
  });

  describe('targets that call back into the scheduler while their schedule fires', () => {
    const step = (invocation: Invocation): string => JSON.parse(invocation.input).step;

    it('keeps a schedule its handler re-armed with UpdateSchedule and fires it again later', async () => {
      onInvoke = async (invocation) => {
        if (step(invocation) !== 'release-due') return;
        const { scheduleName } = invocation.meta;
        const next = oneShot(scheduleName, afterT0(minutes(60)), {
          Target: holdTarget({ holdId: scheduleName, step: 'overdue' }),
        });
        await client.send(new UpdateScheduleCommand(next));
      };
      await create(oneShot('h1', afterT0(minutes(5))));

      await scheduler.fireDue(afterT0(minutes(5)));
      expect((await get('h1')).ScheduleExpression).toBe(atExpression(afterT0(minutes(60))));

      await scheduler.fireDue(afterT0(minutes(59)));
      await scheduler.fireDue(afterT0(minutes(60)));
      expect(invocations.map(step)).toEqual(['release-due', 'overdue']);
      expect(scheduler.size()).toBe(0);
    });

    it('keeps a schedule its handler deleted and re-created under the same name', async () => {
      onInvoke = async (invocation) => {
        if (step(invocation) !== 'release-due') return;
        const { scheduleName, groupName } = invocation.meta;
        await client.send(new DeleteScheduleCommand({ Name: scheduleName, GroupName: groupName }));
        await create(
          oneShot(scheduleName, afterT0(minutes(60)), {
            Target: holdTarget({ holdId: scheduleName, step: 'overdue' }),
          }),
        );
      };
      await create(oneShot('h1', afterT0(minutes(5))));

      await scheduler.fireDue(afterT0(minutes(5)));
      await scheduler.fireDue(afterT0(minutes(60)));

      expect(invocations.map(step)).toEqual(['release-due', 'overdue']);
    });

    it('lets a handler delete its own schedule (a transfer racing the timer)', async () => {
      onInvoke = async ({ meta }) => {
        await client.send(new DeleteScheduleCommand({ Name: meta.scheduleName, GroupName: meta.groupName }));
      };
      await create(oneShot('h1', afterT0(minutes(5)), { ActionAfterCompletion: 'NONE' }));

      const results = await scheduler.fireDue(afterT0(minutes(5)));

      expect(results.map((result) => result.outcome)).toEqual(['delivered']);
      expect(scheduler.size()).toBe(0);
    });

    it('fires in the same call a schedule a handler creates or re-arms at or before now', async () => {
      onInvoke = async (invocation) => {
        if (invocation.meta.scheduleName === 'first') await create(oneShot('second', afterT0(minutes(1))));
      };
      await create(oneShot('first', afterT0(minutes(5))));

      await scheduler.fireDue(afterT0(minutes(5)));

      expect(firedNames()).toEqual(['first', 'second']);
    });

    it('stops a handler that keeps re-arming its schedule in the past from looping forever', async () => {
      onInvoke = async ({ meta }) => {
        await client.send(new UpdateScheduleCommand(oneShot(meta.scheduleName, T0)));
      };
      await create(oneShot('loop', T0));

      const results = await scheduler.fireDue(afterT0(minutes(5)));

      expect(results).toHaveLength(MAX_FIRES_PER_SCHEDULE_PER_CALL);
      // Still armed: the next fireDue call picks it up again.
      expect(scheduler.size()).toBe(1);
    });

    it('skips a schedule that an earlier handler in the same round deleted', async () => {
      onInvoke = async ({ meta }) => {
        if (meta.scheduleName === 'a')
          await client.send(new DeleteScheduleCommand({ Name: 'b', GroupName: GROUP }));
      };
      await create(oneShot('a', afterT0(minutes(1))));
      await create(oneShot('b', afterT0(minutes(2))));

      await scheduler.fireDue(afterT0(minutes(5)));

      expect(firedNames()).toEqual(['a']);
    });
  });
});
