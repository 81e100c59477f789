import type { AppDeps } from '../app-deps.ts';
import { bookingAuditView } from '../audit/booking-audit.ts';
import { auditRacePolicy, commitWithAuditOnce } from '../audit/tenant-audit.ts';
import { type Caller, knownCaller } from '../auth/caller.ts';
import { CURRENT_RULE } from '../domain/deadline-policy.ts';
import {
  advance,
  cancel,
  type Hold,
  type HoldBasis,
  isOpen,
  isRefusal,
  type Refusal,
  type ReviewFacts,
  release,
  review,
  serve,
  type Transition,
  transfer,
} from '../domain/hold.ts';
import {
  type BookingFacts,
  checkBookingRules,
  checkServiceRules,
  type OfficerFacts,
  type WarrantFacts,
} from '../domain/service-rules.ts';
import { conflictWith, DomainError, notFound, refuse } from '../errors/catalogue.ts';
import { effectiveNoticeLead } from '../jurisdictions/notice-lead.ts';
import { custodyMetrics } from '../observability/metrics.ts';
import type { Tenant } from '../schemas/tenant.ts';
import { readItems } from '../store/batch-read.ts';
import { bookingIntents } from '../store/booking-intents.ts';
import { getBooking } from '../store/bookings.ts';
import {
  type Actor,
  clearArmPending,
  commitHoldChange,
  getHold,
  getHoldWithKey,
  type HoldEvent,
  markArmPending,
  type StoredHold,
} from '../store/holds.ts';
import { keys, tenantKeys } from '../store/keys.ts';
import { officerIntents } from '../store/officer-intents.ts';
import { anyRefusal, type Intent, retryLostRaces, TransactionRefused } from '../store/unit-of-work.ts';
import { warrantIntents } from '../store/warrant-intents.ts';
import { getWarrant } from '../store/warrants.ts';
import { toIsoSeconds } from '../util/time.ts';

export interface ServeInput {
  warrantId: string;
  bookingNumber: string;
  officerId: string;
  servedAt: Date;
  basis: HoldBasis;
}

interface ServiceSnapshot {
  tenant?: Tenant;
  booking?: BookingFacts;
  officer?: OfficerFacts;
  warrant?: WarrantFacts;
}

/**
 * Serves a warrant: ONE transaction (the hold, the booking's open-hold marker, the warrant, the
 * officer check, audit and outbox events), then ONE CreateSchedule. If the schedule cannot be
 * created, the hold is listed for the sweeper, which re-arms it and would perform the step anyway.
 */
export async function serveWarrant(
  deps: AppDeps,
  tenantId: string,
  input: ServeInput,
  caller: Caller,
  requestId?: string,
): Promise<Hold> {
  let actor: Actor | undefined;
  // The officer's and the warrant's rules are conditions of the transaction (officerIntents,
  // warrantIntents), so the first attempt reads only what the hold is built from, with the
  // caller's key: one BatchGetItem of three items. A refused commit comes back here, and the
  // fresh read adds the officer and the warrant and names the rule that broke (DESIGN.md §7).
  const hold = await retryLostRaces('The booking, warrant or officer', async (attempt) => {
    const now = deps.clock.now();
    let withRuleFacts = attempt > 1;
    let { snapshot, keyItem } = await readServiceSnapshot(
      deps,
      tenantId,
      input,
      actor ? undefined : caller,
      withRuleFacts,
    );
    actor ??= await caller.admit(keyItem);
    const tenant = snapshot.tenant;
    if (!tenant) throw notFound('The tenant');
    if (!withRuleFacts && input.basis === 'IGSA' && !tenant.agreements.igsa) {
      // Refused either way, but the officer's and the warrant's rules come first in the answer.
      ({ snapshot } = await readServiceSnapshot(deps, tenantId, input, undefined, true));
      withRuleFacts = true;
    }
    const brokenRule = withRuleFacts
      ? checkServiceRules(
          {
            tenant: { igsa: tenant.agreements.igsa },
            ...(snapshot.booking ? { booking: snapshot.booking } : {}),
            ...(snapshot.officer ? { officer: snapshot.officer } : {}),
            ...(snapshot.warrant ? { warrant: snapshot.warrant } : {}),
          },
          input,
          now,
        )
      : checkBookingRules(snapshot.booking, input, now);
    if (brokenRule) {
      throw new DomainError(brokenRule.slug, brokenRule.detail, brokenRule.status);
    }
    const booking = snapshot.booking as BookingFacts;
    const { hold, changes } = serve(
      {
        holdId: deps.ids.next(),
        tenantId,
        bookingNumber: input.bookingNumber,
        warrantId: input.warrantId,
        officerId: input.officerId,
        facilityId: booking.facilityId,
        basis: input.basis,
        servedAt: input.servedAt,
        releaseLeadMinutes: tenant.releaseLeadMinutes,
        // Read at service and kept in the hold's rule inputs: a later profile or setting change
        // never moves the notice of a hold already served.
        releaseNoticeLeadMinutes: effectiveNoticeLead(tenant),
        rule: CURRENT_RULE,
      },
      now,
    );
    await commitHoldChange({
      db: deps.db,
      ids: deps.ids,
      before: undefined,
      after: hold,
      changes,
      actor,
      ...(requestId ? { requestId } : {}),
      related: [
        officerIntents.assertCanServe(
          deps.db.tableName,
          tenantId,
          input.officerId,
          input.servedAt,
          hold.facilityId,
        ),
        bookingIntents.claimForHold(deps.db.tableName, hold),
        warrantIntents.markServed(deps.db.tableName, hold),
      ],
    });
    return hold;
  });
  // Metrics (additive): a served warrant opens a hold in its first status.
  custodyMetrics().holdOpened();
  custodyMetrics().holdTransition(hold.status);
  await armNextStep(deps, hold);
  return hold;
}

/** The tenant and the booking (the hold is built from them), and the officer and warrant if asked. */
async function readServiceSnapshot(
  deps: AppDeps,
  tenantId: string,
  input: ServeInput,
  caller: Caller | undefined,
  withRuleFacts: boolean,
): Promise<{ snapshot: ServiceSnapshot; keyItem: Record<string, unknown> | undefined }> {
  const facts = {
    tenant: keys.tenantProfile(tenantId),
    booking: tenantKeys.booking(tenantId, input.bookingNumber),
    officer: withRuleFacts ? tenantKeys.officer(tenantId, input.officerId) : undefined,
    warrant: withRuleFacts ? tenantKeys.warrant(tenantId, input.warrantId) : undefined,
  };
  const found = await readItems(deps.db, { ...facts, caller: caller?.keyRef });
  return {
    keyItem: found.caller,
    snapshot: {
      tenant: found.tenant as Tenant | undefined,
      booking: found.booking as BookingFacts | undefined,
      officer: found.officer as OfficerFacts | undefined,
      warrant: found.warrant as WarrantFacts | undefined,
    },
  };
}

/** Arms the hold's next step; on failure lists it for the sweeper instead of failing the caller. */
async function armNextStep(deps: AppDeps, hold: Hold, wasPending = false): Promise<void> {
  if (!isOpen(hold.status) || !hold.nextStep || !hold.nextActionAt) return;
  try {
    await deps.timers.arm({
      tenantId: hold.tenantId,
      holdId: hold.holdId,
      step: hold.nextStep,
      dueAt: hold.nextActionAt,
    });
    if (wasPending) await clearArmPending(deps.db, hold);
  } catch (error) {
    deps.logger.warn('could not arm the hold timer; the sweeper will', {
      tenantId: hold.tenantId,
      holdId: hold.holdId,
      step: hold.nextStep,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    if (wasPending) return;
    await markArmPending(deps.db, hold, toIsoSeconds(deps.clock.now())).catch((markError: unknown) => {
      // The hold is still listed by its own next-action time: the step happens regardless.
      deps.logger.error('could not list the hold for re-arming', {
        holdId: hold.holdId,
        error: String(markError),
      });
    });
  }
}

/** Best effort: a timer left behind fires into a hold with nothing due, which is a no-op. */
async function disarm(deps: AppDeps, before: Hold): Promise<void> {
  if (!before.nextStep) return;
  await deps.timers.disarm(before.holdId, before.nextStep).catch((error: unknown) => {
    deps.logger.warn('could not delete the hold timer', { holdId: before.holdId, error: String(error) });
  });
}

type Decision = { transition: Transition; related: Intent[] } | Refusal;

interface ChangeResult {
  before: StoredHold;
  hold: Hold;
  events: HoldEvent[];
}

/**
 * Read, decide, write conditionally on the version read; on losing a race, read again and decide
 * again. Whatever arrives together (transfer, timer, sweep, duplicates) ends in one final state.
 */
async function changeHold(
  deps: AppDeps,
  tenantId: string,
  holdId: string,
  decide: (hold: Hold, now: Date) => Decision,
  caller: Caller,
  requestId?: string,
): Promise<ChangeResult | undefined> {
  let actor: Actor | undefined;
  const lostRace = (error: unknown, attempt: number): boolean => {
    if (!(error instanceof TransactionRefused)) return false;
    deps.logger.debug('hold change lost a race; retrying', { holdId, attempt, refusedBy: error.refusals });
    return true;
  };
  return retryLostRaces(
    'The hold',
    async (): Promise<ChangeResult | undefined> => {
      // The first read carries the caller's key (one round trip); a retry reads only the hold.
      const { stored, keyItem } = await getHoldWithKey(
        deps.db,
        tenantId,
        holdId,
        actor ? undefined : caller.keyRef,
      );
      actor ??= await caller.admit(keyItem);
      if (!stored) return undefined;
      const decision = decide(stored.hold, deps.clock.now());
      if (isRefusal(decision)) throw refusalError(decision);
      const { transition, related } = decision;
      if (transition.changes.length === 0) return { before: stored, hold: stored.hold, events: [] };
      const events = await commitHoldChange({
        db: deps.db,
        ids: deps.ids,
        before: stored,
        after: transition.hold,
        changes: transition.changes,
        actor,
        ...(requestId ? { requestId } : {}),
        related,
      });
      recordStatusChange(stored.hold, transition.hold);
      return { before: stored, hold: transition.hold, events };
    },
    lostRace,
  );
}

function refusalError(refusal: Refusal): DomainError {
  if (refusal.refused === 'not-allowed') {
    return refuse('transition-not-allowed', `The hold is ${refusal.status}; that change is not allowed.`);
  }
  return new DomainError(refusal.slug, refusal.detail, refusal.refused === 'conflict' ? 409 : 422);
}

function notInFuture(at: Date, now: Date, field: 'transferredAt' | 'releasedAt'): void {
  if (at.getTime() > now.getTime() + 2 * 60_000) {
    throw refuse(`${field}-in-future`, `${field} is in the future.`);
  }
}

export async function transferHold(
  deps: AppDeps,
  tenantId: string,
  holdId: string,
  input: { transferredAt: Date; receivingOfficer: string },
  caller: Caller,
  requestId?: string,
): Promise<Hold> {
  notInFuture(input.transferredAt, deps.clock.now(), 'transferredAt');
  const result = await changeHold(
    deps,
    tenantId,
    holdId,
    (hold, now) => {
      const transition = transfer(hold, input.transferredAt, input.receivingOfficer, now);
      if (isRefusal(transition)) return transition;
      return {
        transition,
        related: [
          bookingIntents.closeForHold(
            deps.db.tableName,
            hold,
            toIsoSeconds(input.transferredAt),
            'TRANSFERRED_TO_ICE',
          ),
        ],
      };
    },
    caller,
    requestId,
  );
  if (!result) throw notFound('The hold');
  await disarm(deps, result.before.hold);
  return result.hold;
}

export async function releaseHold(
  deps: AppDeps,
  tenantId: string,
  holdId: string,
  releasedAt: Date,
  caller: Caller,
  requestId?: string,
): Promise<Hold> {
  notInFuture(releasedAt, deps.clock.now(), 'releasedAt');
  const result = await changeHold(
    deps,
    tenantId,
    holdId,
    (hold, now) => {
      const transition = release(hold, releasedAt, now);
      if (isRefusal(transition)) return transition;
      return {
        transition,
        related: [bookingIntents.closeForHold(deps.db.tableName, hold, toIsoSeconds(releasedAt), 'RELEASED')],
      };
    },
    caller,
    requestId,
  );
  if (!result) throw notFound('The hold');
  await disarm(deps, result.before.hold);
  return result.hold;
}

/**
 * Records a county-admin's review of a late or overdue hold: a version-conditional change of the
 * hold with its `hold.reviewed` audit event (no outbox record: not a webhook). Custody and any
 * pending timer step are untouched, so no schedule is armed or deleted.
 */
export async function reviewHold(
  deps: AppDeps,
  tenantId: string,
  holdId: string,
  facts: Omit<ReviewFacts, 'reviewedBy'>,
  actor: Actor & { kind: 'credential' },
  requestId?: string,
): Promise<Hold> {
  const result = await changeHold(
    deps,
    tenantId,
    holdId,
    (hold, now) => {
      const transition = review(hold, { ...facts, reviewedBy: actor.keyId }, now);
      return isRefusal(transition) ? transition : { transition, related: [] };
    },
    knownCaller(actor),
    requestId,
  );
  if (!result) throw notFound('The hold');
  return result.hold;
}

/**
 * Releases a booking; an open hold on it closes as RELEASED in the same transaction. Without a
 * hold it is a plain conditional update (which fails, and is retried, if a hold appeared meanwhile).
 */
export async function releaseBooking(
  deps: AppDeps,
  tenantId: string,
  bookingNumber: string,
  releasedAt: Date,
  actor: Actor,
  requestId?: string,
): Promise<{ bookingNumber: string; status: 'RELEASED'; releasedAt: string; hold?: Hold }> {
  notInFuture(releasedAt, deps.clock.now(), 'releasedAt');
  const at = toIsoSeconds(releasedAt);
  return retryLostRaces(
    'The booking',
    async () => {
      const booking = await getBooking(deps.db, tenantId, bookingNumber, true);
      if (!booking) throw notFound('The booking');
      if (booking.status !== 'IN_CUSTODY')
        throw conflictWith('booking-released', 'The booking was already released.');
      if (at < toIsoSeconds(new Date(booking.bookedAt))) {
        throw refuse('release-before-booking', 'releasedAt is before the person was booked.');
      }
      if (booking.openHoldId) {
        const hold = await releaseHold(
          deps,
          tenantId,
          booking.openHoldId,
          releasedAt,
          knownCaller(actor),
          requestId,
        );
        return { bookingNumber, status: 'RELEASED', releasedAt: at, hold };
      }
      // No hold to close: the booking's own change goes on its audit chain instead, in one unit of
      // work; a hold that appeared, a release meanwhile or a moved audit head refuses it, and the
      // loop decides again from a fresh read.
      const before = bookingAuditView(booking);
      await commitWithAuditOnce(
        deps,
        tenantId,
        {
          type: 'booking.released',
          subject: { kind: 'booking', id: bookingNumber },
          occurredAt: toIsoSeconds(deps.clock.now()),
          actor,
          ...(requestId ? { requestId } : {}),
          before,
          after: { ...before, status: 'RELEASED', releasedAt: at, releaseReason: 'RELEASED' },
        },
        [bookingIntents.release(deps.db.tableName, tenantId, bookingNumber, at)],
      );
      return { bookingNumber, status: 'RELEASED' as const, releasedAt: at };
    },
    anyRefusal,
    auditRacePolicy,
  );
}

/**
 * Withdraws a warrant. Its hold, if ACTIVE or RELEASE_DUE, is cancelled in the same transaction;
 * an OVERDUE hold stays open (the person must still be released) and a closed one is left alone.
 */
export async function withdrawWarrant(
  deps: AppDeps,
  tenantId: string,
  warrantId: string,
  reason: string,
  actor: Actor,
  requestId?: string,
): Promise<{ warrantId: string; status: 'WITHDRAWN'; withdrawnAt: string; hold?: Hold }> {
  // The hold moved on (e.g. went OVERDUE) or the warrant changed: decide again from fresh reads.
  const raced = (error: unknown) =>
    anyRefusal(error) || (error instanceof DomainError && error.slug === 'transition-not-allowed');
  return retryLostRaces(
    'The warrant',
    async () => {
      const now = deps.clock.now();
      const at = toIsoSeconds(now);
      const warrant = await getWarrant(deps.db, tenantId, warrantId, true);
      if (!warrant) throw notFound('The warrant');
      if (warrant.status === 'WITHDRAWN')
        throw conflictWith('warrant-withdrawn', 'The warrant was already withdrawn.');
      const withdraw = warrantIntents.withdraw(
        deps.db.tableName,
        tenantId,
        warrantId,
        warrant.status,
        at,
        reason,
      );
      const stored = warrant.holdId ? await getHold(deps.db, tenantId, warrant.holdId, true) : undefined;
      if (stored && (stored.hold.status === 'ACTIVE' || stored.hold.status === 'RELEASE_DUE')) {
        const result = await changeHold(
          deps,
          tenantId,
          stored.hold.holdId,
          (hold, changeNow) => {
            const transition = cancel(hold, reason, changeNow);
            if (isRefusal(transition)) return transition;
            return { transition, related: [withdraw, bookingIntents.freeFromHold(deps.db.tableName, hold)] };
          },
          knownCaller(actor),
          requestId,
        );
        if (result) {
          await disarm(deps, result.before.hold);
          return { warrantId, status: 'WITHDRAWN' as const, withdrawnAt: at, hold: result.hold };
        }
      }
      // No hold to cancel (none, OVERDUE or closed): the withdrawal goes on the warrant's chain.
      const before: Record<string, unknown> = { ...warrant };
      await commitWithAuditOnce(
        deps,
        tenantId,
        {
          type: 'warrant.withdrawn',
          subject: { kind: 'warrant', id: warrantId },
          occurredAt: at,
          actor,
          ...(requestId ? { requestId } : {}),
          before,
          after: { ...before, status: 'WITHDRAWN', withdrawnAt: at, withdrawReason: reason },
        },
        [withdraw],
      );
      return {
        warrantId,
        status: 'WITHDRAWN' as const,
        withdrawnAt: at,
        ...(stored ? { hold: stored.hold } : {}),
      };
    },
    raced,
    auditRacePolicy,
  );
}

export type StepSource = 'hold-timer' | 'sweeper';

export interface StepOutcome {
  found: boolean;
  changed: boolean;
  hold?: Hold;
  events: HoldEvent[];
}

/**
 * Performs every step of the hold that is due now, then arms the next one. The hold-timer (when
 * its schedule fires) and the sweeper (for anything a timer missed) both come through here.
 */
export async function runDueSteps(
  deps: AppDeps,
  tenantId: string,
  holdId: string,
  source: StepSource,
): Promise<StepOutcome> {
  const result = await changeHold(
    deps,
    tenantId,
    holdId,
    (hold, now) => ({ transition: advance(hold, now), related: [] }),
    knownCaller({ kind: 'system', name: source }),
  );
  if (!result) return { found: false, changed: false, events: [] };
  const changed = result.events.length > 0;
  if (changed) {
    if (source === 'sweeper') await disarm(deps, result.before.hold);
    await armNextStep(deps, result.hold);
  } else if (result.before.armPending) {
    await armNextStep(deps, result.hold, true);
  }
  return { found: true, changed, hold: result.hold, events: result.events };
}

/** A timer that fired before its step was due (never expected; Scheduler is precise to 60 s) is re-armed. */
export async function rearmIfEarly(deps: AppDeps, hold: Hold, step: string): Promise<boolean> {
  if (!isOpen(hold.status) || hold.nextStep !== step || !hold.nextActionAt) return false;
  if (Date.parse(hold.nextActionAt) <= deps.clock.now().getTime()) return false;
  await armNextStep(deps, hold);
  return true;
}

/** Metrics (additive): HoldTransitions by new status, and HoldsOverdue when a hold goes OVERDUE. */
function recordStatusChange(before: Hold, after: Hold): void {
  if (before.status === after.status) return;
  custodyMetrics().holdTransition(after.status);
  if (after.status === 'OVERDUE') custodyMetrics().holdOverdue();
}
