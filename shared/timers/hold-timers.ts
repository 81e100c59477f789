import type { HoldStep } from '../domain/hold.ts';

/** What the hold timer receives when a schedule fires (the schedule's Input). */
export interface TimerPayload {
  tenantId: string;
  holdId: string;
  step: HoldStep;
  dueAt: string;
}

/**
 * The timer port: one live one-shot timer per open hold. The domain and the handlers see only this;
 * the EventBridge Scheduler adapter implements it in AWS and, unchanged, against the local Scheduler.
 */
export interface HoldTimers {
  /** Creates (or replaces) the one-shot timer for this hold's step. Idempotent. */
  arm(payload: TimerPayload): Promise<void>;
  /** Deletes the timer for this hold's step; a timer that does not exist is not an error. */
  disarm(holdId: string, step: HoldStep): Promise<void>;
}
