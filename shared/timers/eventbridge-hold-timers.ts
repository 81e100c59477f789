import { createHash } from 'node:crypto';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { HoldStep } from '../domain/hold.ts';
import type { HoldTimers, TimerPayload } from './hold-timers.ts';

/** SDK attempts per Scheduler call (first try + retries with backoff) before the sweeper takes over. */
export const SCHEDULER_MAX_ATTEMPTS = 3;

export interface SchedulerTarget {
  groupName: string;
  /** The hold-timer function. */
  targetArn: string;
  /** The role Scheduler assumes; it may invoke only the timer function. */
  roleArn: string;
  /** SQS queue for events Scheduler could not deliver. */
  deadLetterArn?: string;
}

/** The step's part of a schedule name: the longest, `release-notice`, keeps names at 41 characters. */
const STEP_SUFFIX: Readonly<Record<HoldStep, string>> = {
  RELEASE_NOTICE: 'release-notice',
  RELEASE_DUE: 'release-due',
  OVERDUE: 'overdue',
};

/**
 * Schedule names are `<holdId>-<step>`: deterministic from the hold (a 26-char ULID) and within
 * Scheduler's 64 characters of [0-9a-zA-Z-_.]. The step is in the name because a fired schedule
 * is deleted by Scheduler after completion (ActionAfterCompletion DELETE): re-arming the same name
 * from inside the firing could be deleted behind us.
 */
export const scheduleName = (holdId: string, step: HoldStep): string => `${holdId}-${STEP_SUFFIX[step]}`;

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the second so it never fires before it is due. */
export function atExpression(dueAt: Date): string {
  const seconds = Math.ceil(dueAt.getTime() / 1000) * 1000;
  return `at(${new Date(seconds).toISOString().slice(0, 19)})`;
}

export class EventBridgeHoldTimers implements HoldTimers {
  private readonly client: SchedulerClient;
  private readonly target: SchedulerTarget;

  constructor(client: SchedulerClient, target: SchedulerTarget) {
    this.client = client;
    this.target = target;
  }

  async arm(payload: TimerPayload): Promise<void> {
    const input = this.scheduleInput(payload);
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      // UpdateSchedule replaces the whole schedule: send every field again.
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }

  async disarm(holdId: string, step: HoldStep): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(holdId, step), GroupName: this.target.groupName }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  private scheduleInput(payload: TimerPayload): CreateScheduleCommandInput {
    const { groupName, targetArn, roleArn, deadLetterArn } = this.target;
    return {
      Name: scheduleName(payload.holdId, payload.step),
      GroupName: groupName,
      ScheduleExpression: atExpression(new Date(payload.dueAt)),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Description: `WSO hold ${payload.holdId} of ${payload.tenantId}: ${payload.step}`,
      // Same hold, step and due time: the same token, so an SDK retry is not a second schedule.
      ClientToken: createHash('sha256')
        .update(`${payload.holdId}|${payload.step}|${payload.dueAt}`)
        .digest('hex')
        .slice(0, 64),
      Target: {
        Arn: targetArn,
        RoleArn: roleArn,
        Input: JSON.stringify(payload),
        // Scheduler retries delivery for up to an hour; the sweeper covers anything beyond.
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 185 },
        ...(deadLetterArn ? { DeadLetterConfig: { Arn: deadLetterArn } } : {}),
      },
    };
  }
}
