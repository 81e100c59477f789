/**
 * What a state profile may say, and the check every profile passes when it is loaded. State law
 * adds duties to the WSO program (DESIGN.md §1); they live in configuration, one file per state
 * under ./profiles, never as `if (state === …)` branches in the code.
 */
import * as z from 'zod';
import { REPORT_FIELDS } from '../reports/report-fields.ts';
import { stateCode, text } from '../schemas/common.ts';

/** A notice lead beyond a day would precede the service of many holds: refuse it as a typo. */
export const MAX_NOTICE_LEAD_MINUTES = 24 * 60;

export const noticeLeadMinutes = z.number().int().min(0).max(MAX_NOTICE_LEAD_MINUTES);

const source = z.strictObject({
  citation: text(300).meta({ description: 'The law or program the duty comes from' }),
  duty: text(600).meta({ description: 'What it requires, as far as this profile relies on it' }),
  uncertain: text(600)
    .optional()
    .meta({ description: 'What we could not verify: read before relying on this profile' }),
});

export const jurisdictionProfileSchema = z.strictObject({
  /** A USPS state code, or DEFAULT for states without a profile of their own. */
  jurisdiction: z.union([stateCode, z.literal('DEFAULT')]),
  /** Bumped on every change; holds keep the lead they were served with in their rule inputs. */
  profileVersion: z.number().int().min(1),
  name: text(120),
  /**
   * Minutes before a hold's release is due that ICE must be told of the pending release (a
   * `hold.release_notice` event and timer step). 0: the state asks for no notice.
   */
  preReleaseNoticeLeadMinutes: noticeLeadMinutes.default(0),
  /** The oversight report figures the state collects from its counties. */
  reportFields: z
    .array(z.enum(REPORT_FIELDS))
    .min(1)
    .refine((fields) => new Set(fields).size === fields.length, 'must not repeat a figure'),
  sources: z.array(source).min(1),
});

/** A profile as written in its file (defaults not yet applied). */
export type JurisdictionProfileInput = z.input<typeof jurisdictionProfileSchema>;
export type JurisdictionProfile = z.output<typeof jurisdictionProfileSchema>;

/**
 * Validates one profile. Called at module init for every profile file, so a bad profile stops the
 * function from starting (fails its deployment) with a message naming the file and the field.
 */
export function loadProfile(raw: unknown, file: string): JurisdictionProfile {
  const parsed = jurisdictionProfileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(profile)'}: ${issue.message}`)
    .join('; ');
  throw new Error(`Jurisdiction profile ${file} is invalid: ${problems}`);
}
