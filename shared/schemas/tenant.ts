import * as z from 'zod';
import { noticeLeadMinutes } from '../jurisdictions/profile-schema.ts';
import { REPORT_FIELDS } from '../reports/report-fields.ts';
import { calendarDate, instant, stateCode, tenantId, text, timeZone } from './common.ts';

export const releaseLeadMinutes = z
  .number()
  .int()
  .min(0)
  .max(240)
  .meta({ description: 'How long before the 48-hour deadline the jail is told to process the release.' });

export const releaseNoticeLeadMinutes = noticeLeadMinutes.meta({
  description:
    'The county\u2019s own pre-release notice lead: ICE is told this many minutes before a release is due. ' +
    'It may be larger than the state profile\u2019s (earlier notice), never smaller (422 `release-notice-later-than-state`).',
});

/** How the county's state profile applies to it (computed, never stored). */
export const jurisdictionSummary = z
  .object({
    profile: z.string().meta({ description: 'The state profile in force: a state code, or DEFAULT' }),
    profileVersion: z.number().int(),
    statePreReleaseNoticeLeadMinutes: z
      .number()
      .int()
      .meta({ description: 'The state\u2019s lead; 0: none' }),
    effectiveReleaseNoticeLeadMinutes: z
      .number()
      .int()
      .meta({ description: 'The lead new holds are served with; 0: no notice step' }),
    reportFields: z.array(z.enum(REPORT_FIELDS)),
  })
  .meta({ id: 'JurisdictionSummary' });

/** Days after release that a booking's person data is kept: at least 1, at most 100 years. */
export const MAX_RETENTION_DAYS = 36_525;

export const retention = z
  .strictObject({
    personDataDaysAfterRelease: z
      .number()
      .int()
      .min(1)
      .max(MAX_RETENTION_DAYS)
      .meta({
        description:
          'Whole days after a booking\u2019s release (or transfer to ICE) that its person data is kept; a daily ' +
          'job then removes it (the booking keeps its number, dates, facility and `purged`).',
      }),
  })
  .meta({ id: 'Retention', description: 'Absent: person data is kept until a seal removes it' });

export const agreements = z.strictObject({
  wsoMoaSignedOn: calendarDate.nullable().meta({ description: 'Date the WSO MOA with ICE was signed' }),
  igsa: z.boolean().meta({ description: 'The county houses ICE detainees under an IGSA' }),
  boa: z.boolean().meta({ description: 'The county holds a Basic Ordering Agreement' }),
});

export const contact = z.strictObject({
  name: text(120),
  role: text(80).optional(),
  email: z.email().max(254),
  phone: z
    .string()
    .regex(/^\+?[0-9 ().-]{7,20}$/, 'must be a phone number')
    .optional(),
});

export const createTenantBody = z
  .strictObject({
    tenantId,
    countyFips: z.string().regex(/^\d{5}$/, 'must be 5 digits'),
    state: stateCode,
    name: text(120),
    timeZone,
    agreements,
    releaseLeadMinutes: releaseLeadMinutes.optional(),
  })
  .meta({ id: 'CreateTenant' });

export const patchTenantBody = z
  .strictObject({
    releaseLeadMinutes: releaseLeadMinutes.optional(),
    releaseNoticeLeadMinutes: releaseNoticeLeadMinutes
      .nullable()
      .optional()
      .meta({ description: 'null: follow the state profile again' }),
    contacts: z.array(contact).max(20).optional(),
    agreements: agreements.partial().optional(),
    retention: retention.nullable().optional().meta({ description: 'null: keep person data again' }),
  })
  .refine((body) => Object.keys(body).length > 0, 'at least one setting is required')
  .meta({ id: 'PatchTenant' });

export const tenant = z
  .object({
    tenantId,
    countyFips: z.string(),
    state: stateCode,
    name: z.string(),
    timeZone: z.string(),
    agreements,
    releaseLeadMinutes,
    releaseNoticeLeadMinutes: releaseNoticeLeadMinutes.optional(),
    contacts: z.array(contact),
    retention: retention.optional(),
    createdAt: instant,
    updatedAt: instant,
    version: z.number().int(),
    jurisdiction: jurisdictionSummary.optional(),
  })
  .meta({ id: 'Tenant' });

export type CreateTenant = z.infer<typeof createTenantBody>;
export type PatchTenant = z.infer<typeof patchTenantBody>;
export type Tenant = z.infer<typeof tenant>;

export const DEFAULT_RELEASE_LEAD_MINUTES = 60;
