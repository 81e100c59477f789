import * as z from 'zod';
import { OFFICER_STATUSES } from '../domain/custody-rules.ts';
import { calendarDate, clientId, instant, text } from './common.ts';
import { facilityId } from './facility.ts';
import { pageOf } from './list.ts';

export const officerId = clientId('The county\u2019s own id for a jail officer');

export const nominateOfficerBody = z
  .strictObject({
    officerId,
    name: text(120),
    badgeNumber: text(32),
    facilityIds: z
      .array(facilityId)
      .min(1)
      .max(50)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a facility')
      .meta({ description: 'The facilities the officer works in: the only places they may serve' }),
  })
  .meta({ id: 'NominateOfficer' });

export const credentialOfficerBody = z
  .strictObject({
    backgroundCheckPassedOn: calendarDate,
    trainedOn: calendarDate,
    credentialNumber: text(40),
    expiresOn: calendarDate.meta({ description: 'Last day the federal credential is valid' }),
  })
  .meta({ id: 'CredentialOfficer' });

export const suspendOfficerBody = z.strictObject({ reason: text(500) }).meta({ id: 'SuspendOfficer' });

export const credential = z.object({
  backgroundCheckPassedOn: calendarDate,
  trainedOn: calendarDate,
  credentialNumber: z.string(),
  expiresOn: calendarDate,
  credentialedAt: instant,
});

export const suspension = z.object({ reason: z.string(), suspendedAt: instant });

export const officer = z
  .object({
    officerId,
    name: z.string(),
    badgeNumber: z.string(),
    facilityIds: z.array(facilityId),
    status: z.enum(OFFICER_STATUSES),
    credential: credential.optional().meta({ description: 'The latest credential ICE issued' }),
    credentialActive: z
      .boolean()
      .meta({ description: 'CREDENTIALED and the credential runs through today (UTC): may serve warrants' }),
    suspension: suspension.optional().meta({ description: 'Present while SUSPENDED' }),
    createdAt: instant,
    updatedAt: instant,
    version: z.number().int(),
  })
  .meta({ id: 'Officer' });

export const officerPage = pageOf(officer, 'OfficerPage');

export type NominateOfficer = z.infer<typeof nominateOfficerBody>;
export type CredentialOfficer = z.infer<typeof credentialOfficerBody>;
export type Credential = z.infer<typeof credential>;
export type Suspension = z.infer<typeof suspension>;
export type Officer = z.infer<typeof officer>;
