/**
 * The deadline policy: named, versioned rules. Every hold stores the rule id, version and the
 * inputs used, so any deadline can be recomputed and explained later. A change of rule is a new
 * version here, never an edit that silently moves existing deadlines.
 */
import { HOUR_MS, MINUTE_MS } from '../util/time.ts';

export interface DeadlineInputs {
  servedAt: string;
  releaseLeadMinutes: number;
}

export interface RuleRef {
  id: string;
  version: number;
}

export interface Deadlines {
  deadline: Date;
  releaseDueAt: Date;
}

interface DeadlineRule extends RuleRef {
  description: string;
  compute(inputs: DeadlineInputs): Deadlines;
}

/**
 * WSO-48H v1: 48 continuous hours from service, weekends and holidays included (the I-247A's
 * "not to exceed 48 hours", with no weekend exclusion). The release is due `releaseLeadMinutes`
 * before the deadline so that it can be processed in time.
 */
const WSO_48H_V1: DeadlineRule = {
  id: 'WSO-48H',
  version: 1,
  description: '48 continuous hours from warrant service, weekends and holidays included',
  compute: ({ servedAt, releaseLeadMinutes }) => {
    const deadline = new Date(Date.parse(servedAt) + 48 * HOUR_MS);
    return { deadline, releaseDueAt: new Date(deadline.getTime() - releaseLeadMinutes * MINUTE_MS) };
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
