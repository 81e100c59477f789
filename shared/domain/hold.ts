import type { ConflictSlug, RuleSlug } from '../errors/catalogue.ts';
/**
 * The hold state machine (pure: no I/O, no clock). See DESIGN.md §3.
 *
 *   ACTIVE ──(releaseNoticeAt, where the state requires notice: stays ACTIVE)──┐
 *   ACTIVE ◄───────────────────────────────────────────────────────────────────┘
 *   ACTIVE ──(releaseDueAt)──► RELEASE_DUE ──(deadline)──► OVERDUE
 *   ACTIVE | RELEASE_DUE | OVERDUE ──transfer──► TRANSFERRED   (late when after the deadline)
 *   ACTIVE | RELEASE_DUE | OVERDUE ──release───► RELEASED      (late when after the deadline)
 *   ACTIVE | RELEASE_DUE ──warrant withdrawn──► CANCELLED
 *   any status with needsReview ──review──► same status, needsReview false
 *
 * Timer steps run in order RELEASE_NOTICE (optional) → RELEASE_DUE → OVERDUE; each arms the next.
 * Facts are never rejected for being late: they are recorded and flagged.
 */
import { toIsoSeconds } from '../util/time.ts';
import { computeDeadlines, type DeadlineInputs, type RuleRef } from './deadline-policy.ts';

export const HOLD_STATUSES = [
  'ACTIVE',
  'RELEASE_DUE',
  'OVERDUE',
  'TRANSFERRED',
  'RELEASED',
  'CANCELLED',
] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];
export const OPEN_STATUSES: readonly HoldStatus[] = ['ACTIVE', 'RELEASE_DUE', 'OVERDUE'];
export const isOpen = (status: HoldStatus): boolean => OPEN_STATUSES.includes(status);

/**
 * Timer steps: what happens when a hold's next action comes due. RELEASE_NOTICE exists only for
 * holds whose rule inputs carry a notice lead (a state profile, or the county, asks for notice).
 */
export const HOLD_STEPS = ['RELEASE_NOTICE', 'RELEASE_DUE', 'OVERDUE'] as const;
export type HoldStep = (typeof HOLD_STEPS)[number];

export type HoldBasis = 'WSO' | 'IGSA';

/**
 * Hold transitions that are notifications: each is written to the outbox (and so offered to
 * webhooks, see shared/webhooks/event-types.ts) in the same transaction as the change.
 */
export const HOLD_EVENT_TYPES = [
  'hold.created',
  'hold.release_notice',
  'hold.release_due',
  'hold.overdue',
  'hold.transferred',
  'hold.released',
  'hold.cancelled',
] as const;
export type HoldEventType = (typeof HOLD_EVENT_TYPES)[number];

/**
 * Every type a hold's audit chain may hold. `hold.reviewed` is audit only: the county's review is
 * its own liability record, not news for a jail vendor, so it has no outbox record and no webhook.
 */
export const HOLD_AUDIT_EVENT_TYPES = [...HOLD_EVENT_TYPES, 'hold.reviewed'] as const;
export type HoldAuditEventType = (typeof HOLD_AUDIT_EVENT_TYPES)[number];

export const isNotification = (type: HoldAuditEventType): type is HoldEventType =>
  (HOLD_EVENT_TYPES as readonly string[]).includes(type);

/** Why a late or overdue hold was late: the county's review (DESIGN.md §3). */
export const REVIEW_REASON_CODES = [
  'ICE_PICKUP_DELAYED',
  'DATA_ENTERED_LATE',
  'RELEASE_PROCESSING_DELAY',
  'COURT_ORDER',
  'OTHER',
] as const;
export type ReviewReasonCode = (typeof REVIEW_REASON_CODES)[number];

export interface HoldReview {
  reasonCode: ReviewReasonCode;
  note?: string;
  reviewedAt: string;
  /** The credential (key id) of the county-admin who recorded it. */
  reviewedBy: string;
}

export interface Hold {
  holdId: string;
  tenantId: string;
  bookingNumber: string;
  warrantId: string;
  officerId: string;
  facilityId: string;
  basis: HoldBasis;
  status: HoldStatus;
  servedAt: string;
  /** Absent for IGSA holds, which have no 48-hour limit. */
  deadline?: string;
  releaseDueAt?: string;
  transferredAt?: string;
  receivingOfficer?: string;
  releasedAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
  /**
   * When the pre-release notice to ICE was emitted (hold.release_notice): its planned time, or the
   * moment a service reported late was recorded. The planned time follows from `rule`.
   */
  releaseNoticeAt?: string;
  releaseDueMarkedAt?: string;
  overdueMarkedAt?: string;
  late: boolean;
  needsReview: boolean;
  /** The latest review; a hold reviewed while still OVERDUE needs another once it closes late. */
  review?: HoldReview;
  rule: RuleRef & { inputs: DeadlineInputs };
  /** The next timer step and when it is due; absent once nothing is pending. */
  nextStep?: HoldStep;
  nextActionAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** What a transition says happened, before audit and outbox give it ids and hashes. */
export interface HoldChange {
  type: HoldAuditEventType;
  occurredAt: string;
}

export interface Transition {
  hold: Hold;
  changes: HoldChange[];
}

export type Refusal =
  | { refused: 'not-allowed'; status: HoldStatus }
  | { refused: 'conflict'; slug: ConflictSlug; detail: string }
  | { refused: 'rule'; slug: RuleSlug; detail: string };

export const isRefusal = <T extends object>(value: T | Refusal): value is Refusal => 'refused' in value;

export interface ServeFacts {
  holdId: string;
  tenantId: string;
  bookingNumber: string;
  warrantId: string;
  officerId: string;
  facilityId: string;
  basis: HoldBasis;
  servedAt: Date;
  releaseLeadMinutes: number;
  /** The jurisdiction's pre-release notice lead (minutes before releaseDueAt); 0 or absent: none. */
  releaseNoticeLeadMinutes?: number;
  rule: RuleRef;
}

/** A new hold, already advanced to `now`: a service reported late starts RELEASE_DUE or OVERDUE. */
export function serve(facts: ServeFacts, now: Date): Transition {
  const servedAt = toIsoSeconds(facts.servedAt);
  // The notice lead is part of the inputs (0 included) so the notice time can be explained later.
  const inputs: DeadlineInputs = {
    servedAt,
    releaseLeadMinutes: facts.releaseLeadMinutes,
    ...(facts.basis === 'WSO' ? { releaseNoticeLeadMinutes: facts.releaseNoticeLeadMinutes ?? 0 } : {}),
  };
  const at = toIsoSeconds(now);
  const base: Hold = {
    holdId: facts.holdId,
    tenantId: facts.tenantId,
    bookingNumber: facts.bookingNumber,
    warrantId: facts.warrantId,
    officerId: facts.officerId,
    facilityId: facts.facilityId,
    basis: facts.basis,
    status: 'ACTIVE',
    servedAt,
    late: false,
    needsReview: false,
    rule: { ...facts.rule, inputs },
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  if (facts.basis === 'IGSA') return { hold: base, changes: [{ type: 'hold.created', occurredAt: at }] };
  const { deadline, releaseDueAt, releaseNoticeAt } = computeDeadlines(facts.rule, inputs);
  const hold: Hold = {
    ...base,
    deadline: toIsoSeconds(deadline),
    releaseDueAt: toIsoSeconds(releaseDueAt),
    ...(releaseNoticeAt
      ? { nextStep: 'RELEASE_NOTICE', nextActionAt: toIsoSeconds(releaseNoticeAt) }
      : { nextStep: 'RELEASE_DUE', nextActionAt: toIsoSeconds(releaseDueAt) }),
  };
  const advanced = advance(hold, now);
  return {
    hold: { ...advanced.hold, version: 1 },
    changes: [{ type: 'hold.created', occurredAt: at }, ...advanced.changes],
  };
}

/**
 * Performs every timer step that is due at `now`. The timer and the sweeper both call this, so a
 * duplicate, early or stale fire finds nothing due and changes nothing.
 */
export function advance(hold: Hold, now: Date): Transition {
  let current = hold;
  const changes: HoldChange[] = [];
  const at = toIsoSeconds(now);
  while (current.nextStep && current.nextActionAt && Date.parse(current.nextActionAt) <= now.getTime()) {
    if (current.nextStep === 'RELEASE_NOTICE') {
      // The status stays ACTIVE: the notice changes nothing for the jail, it tells ICE in time.
      current = {
        ...current,
        releaseNoticeAt: at,
        nextStep: 'RELEASE_DUE',
        nextActionAt: current.releaseDueAt,
      };
      changes.push({ type: 'hold.release_notice', occurredAt: at });
    } else if (current.nextStep === 'RELEASE_DUE') {
      current = {
        ...current,
        status: 'RELEASE_DUE',
        releaseDueMarkedAt: at,
        nextStep: 'OVERDUE',
        nextActionAt: current.deadline,
      };
      changes.push({ type: 'hold.release_due', occurredAt: at });
    } else {
      const { nextStep: _step, nextActionAt: _at, ...rest } = current;
      current = { ...rest, status: 'OVERDUE', overdueMarkedAt: at, needsReview: true };
      changes.push({ type: 'hold.overdue', occurredAt: at });
    }
  }
  return changes.length === 0 ? { hold, changes } : { hold: bump(current, at), changes };
}

export function transfer(
  hold: Hold,
  transferredAt: Date,
  receivingOfficer: string,
  now: Date,
): Transition | Refusal {
  if (!isOpen(hold.status)) return { refused: 'not-allowed', status: hold.status };
  const when = toIsoSeconds(transferredAt);
  if (when < hold.servedAt) {
    return {
      refused: 'rule',
      slug: 'transfer-before-service',
      detail: 'transferredAt is before the warrant was served.',
    };
  }
  return close(hold, 'TRANSFERRED', 'hold.transferred', { transferredAt: when, receivingOfficer }, when, now);
}

export function release(hold: Hold, releasedAt: Date, now: Date): Transition | Refusal {
  if (!isOpen(hold.status)) return { refused: 'not-allowed', status: hold.status };
  const when = toIsoSeconds(releasedAt);
  if (when < hold.servedAt) {
    return {
      refused: 'rule',
      slug: 'release-before-service',
      detail: 'releasedAt is before the warrant was served.',
    };
  }
  return close(hold, 'RELEASED', 'hold.released', { releasedAt: when }, when, now);
}

export function cancel(hold: Hold, reason: string, now: Date): Transition | Refusal {
  if (hold.status !== 'ACTIVE' && hold.status !== 'RELEASE_DUE')
    return { refused: 'not-allowed', status: hold.status };
  const at = toIsoSeconds(now);
  return close(hold, 'CANCELLED', 'hold.cancelled', { cancelledAt: at, cancelReason: reason }, at, now);
}

function close(
  hold: Hold,
  status: HoldStatus,
  type: HoldEventType,
  facts: Partial<Hold>,
  factAt: string,
  now: Date,
): Transition {
  const late = hold.deadline !== undefined && factAt > hold.deadline;
  const { nextStep: _step, nextActionAt: _at, ...rest } = hold;
  const closed: Hold = {
    ...rest,
    ...facts,
    status,
    late,
    // An OVERDUE hold needs a review even when the fact itself was in time (it was entered late).
    needsReview: hold.needsReview || late || hold.status === 'OVERDUE',
  };
  return { hold: bump(closed, toIsoSeconds(now)), changes: [{ type, occurredAt: toIsoSeconds(now) }] };
}

export interface ReviewFacts {
  reasonCode: ReviewReasonCode;
  note?: string;
  reviewedBy: string;
}

/**
 * Records the county's review of a late or overdue hold and clears `needsReview`. The status and
 * any pending step are untouched: a review explains, it does not change custody.
 */
export function review(hold: Hold, facts: ReviewFacts, now: Date): Transition | Refusal {
  if (!hold.needsReview) {
    return {
      refused: 'conflict',
      slug: 'review-not-needed',
      detail: 'The hold does not need a review: it was neither late nor overdue, or it was reviewed already.',
    };
  }
  const at = toIsoSeconds(now);
  const recorded: HoldReview = {
    reasonCode: facts.reasonCode,
    ...(facts.note !== undefined ? { note: facts.note } : {}),
    reviewedAt: at,
    reviewedBy: facts.reviewedBy,
  };
  return {
    hold: bump({ ...hold, needsReview: false, review: recorded }, at),
    changes: [{ type: 'hold.reviewed', occurredAt: at }],
  };
}

const bump = (hold: Hold, at: string): Hold => ({ ...hold, updatedAt: at, version: hold.version + 1 });
