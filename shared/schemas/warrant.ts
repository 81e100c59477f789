import * as z from 'zod';
import { bookingNumber } from './booking.ts';
import { clientId, instant, text } from './common.ts';

export const warrantId = clientId('The warrant\u2019s id as ICE issued it');

export const WARRANT_FORMS = ['I-200', 'I-205'] as const;
export const WARRANT_STATUSES = ['RECEIVED', 'SERVED', 'WITHDRAWN'] as const;

export const recordWarrantBody = z
  .strictObject({
    warrantId,
    form: z
      .enum(WARRANT_FORMS)
      .meta({ description: 'I-200 warrant for arrest of alien, or I-205 warrant of removal/deportation' }),
    issuedAt: instant,
    issuingOfficer: text(120),
    fieldOffice: text(120),
    bookingNumber,
  })
  .meta({ id: 'RecordWarrant' });

export const warrant = z
  .object({
    warrantId,
    form: z.enum(WARRANT_FORMS),
    issuedAt: instant,
    issuingOfficer: z.string(),
    fieldOffice: z.string(),
    bookingNumber,
    status: z.enum(WARRANT_STATUSES),
    holdId: z.string().optional().meta({ description: 'The hold its service opened' }),
    receivedAt: instant,
    updatedAt: instant,
    version: z.number().int(),
  })
  .meta({ id: 'Warrant' });

export type RecordWarrant = z.infer<typeof recordWarrantBody>;
export type Warrant = z.infer<typeof warrant>;
