/**
 * The deadline policy: named, versioned rules. Every hold stores the rule id, version and the
 * inputs used, so any deadline can be recomputed and explained later.
 *
 * How a rule changes (read before editing this file):
 * - A rule version, once any hold has been served under it, is frozen. Its `compute` must keep
 *   returning exactly what it returned for every input it was ever given: a stored hold's
 *   deadline is a legal fact (DESIGN.md §1), and "recompute from rule + inputs" must give it back.
 * - A change of how a deadline is computed (a new exclusion, a different lead, rounding, time
 *   zones…) is a NEW version appended to `RULES` (or a new id), and `CURRENT_RULE` moves to it.
 *   Holds already served keep the version they name; only holds served afterwards use the new one.
 * - Never guess: `computeDeadlines` refuses a rule it does not know, so a hold whose rule was
 *   dropped from this file fails loudly instead of being silently re-timed by another rule.
 * - Adding an OPTIONAL input whose absence gives exactly the old result is not a new version
 *   (that is how `releaseNoticeLeadMinutes` came in: holds stored without it compute as before,
 *   and it only adds the notice time, never moves the deadline or the release-due time).
 *   test/integration/release-notice.test.ts recomputes stored holds to hold us to this.
 */
import { HOUR_MS, MINUTE_MS } from '../util/time.ts';

export interface DeadlineInputs {
  servedAt: string;
  releaseLeadMinutes: number;
  /**
   * Minutes before the release is due that ICE must be told of the pending release (the state
   * profile's lead, or the county's earlier one). 0 or absent: no pre-release notice.
   */
  releaseNoticeLeadMinutes?: number;
}

export interface RuleRef {
  id: string;
  version: number;
}

export interface Deadlines {
  deadline: Date;
  releaseDueAt: Date;
  /** When ICE is to be told of the pending release; absent when no notice is required. */
  releaseNoticeAt?: Date;
}

interface DeadlineRule extends RuleRef {
  description: string;
  compute(inputs: DeadlineInputs): Deadlines;
}

/**
 * WSO-48H v1: 48 continuous hours from service, weekends and holidays included (the I-247A's
 * "not to exceed 48 hours", with no weekend exclusion). The release is due `releaseLeadMinutes`
 * before the deadline so that it can be processed in time; where a notice lead applies, ICE is
 * told `releaseNoticeLeadMinutes` before the release is due.
 */
const WSO_48H_V1: DeadlineRule = {
  id: 'WSO-48H',
  version: 1,
  description: '48 continuous hours from warrant service, weekends and holidays included',
  compute: ({ servedAt, releaseLeadMinutes, releaseNoticeLeadMinutes = 0 }) => {
    const deadline = new Date(Date.parse(servedAt) + 48 * HOUR_MS);
    const releaseDueAt = new Date(deadline.getTime() - releaseLeadMinutes * MINUTE_MS);
    if (releaseNoticeLeadMinutes <= 0) return { deadline, releaseDueAt };
    return {
      deadline,
      releaseDueAt,
      releaseNoticeAt: new Date(releaseDueAt.getTime() - releaseNoticeLeadMinutes * MINUTE_MS),
    };
  },
};

const RULES: readonly DeadlineRule[] = [WSO_48H_V1];

/** The rule new WSO holds are served under. */
export const CURRENT_RULE: RuleRef = { id: WSO_48H_V1.id, version: WSO_48H_V1.version };

export function computeDeadlines(rule: RuleRef, inputs: DeadlineInputs): Deadlines {
  const found = RULES.find((candidate) => candidate.id === rule.id && candidate.version === rule.version);
  if (!found) throw new Error(`unknown deadline rule ${rule.id} v${rule.version}`);
  return found.compute(inputs);
}
