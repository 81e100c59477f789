import * as z from 'zod';
import { calendarDate, clientId, instant, text } from './common.ts';
import { facilityId } from './facility.ts';

/**
 * Bookings as jail-management systems send them. Field names follow the NIEM Justice
 * Booking-and-Release examples where they fit, so a NIEM adapter is a mapping, not a rewrite.
 *
 * Person data is the minimum needed to identify whom a warrant names. There is deliberately no
 * field for citizenship, alienage, nationality, country of birth or immigration status: WSO
 * officers do not ask, and the strict schemas reject any such field.
 */
export const bookingNumber = clientId(
  'Number the booking agency issues at intake, kept until release (NIEM: booking number)',
);

export const bookingPerson = z
  .strictObject({
    firstName: text(80).meta({ description: 'NIEM nc:PersonGivenName' }),
    lastName: text(80).meta({ description: 'NIEM nc:PersonSurName' }),
    dateOfBirth: calendarDate.meta({ description: 'NIEM nc:PersonBirthDate' }),
    fbiNumber: z
      .string()
      .regex(/^[A-Za-z0-9]{1,9}$/, 'must be 1 to 9 letters and digits')
      .optional()
      .meta({ description: 'FBI number / UCN (NIEM j:PersonFBIIdentification)' }),
    stateId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,20}$/, 'must be 1 to 20 letters, digits and -')
      .optional()
      .meta({
        description: 'State identification number, SID (NIEM j:PersonStateFingerprintIdentification)',
      }),
  })
  .meta({ id: 'BookingPerson' });

export const bookingCharge = z
  .strictObject({
    code: text(40).meta({ description: 'Statute or offense code (NIEM j:ChargeStatute)' }),
    description: text(200).meta({ description: 'NIEM j:ChargeDescriptionText' }),
  })
  .meta({ id: 'BookingCharge' });

const agencyOri = z
  .string()
  .regex(/^[A-Z]{2}[A-Z0-9]{7}$/, 'must be a 9-character ORI such as FL0520000')
  .meta({ description: 'ORI of the booking agency (NIEM j:OrganizationORIIdentification)' });

export const putBookingBody = z
  .strictObject({
    facilityId,
    bookedAt: instant.meta({ description: 'When the booking commenced' }),
    agencyOri: agencyOri.optional(),
    person: bookingPerson,
    charges: z.array(bookingCharge).max(100).optional(),
    scheduledReleaseAt: instant
      .optional()
      .meta({ description: 'Scheduled release date and time, when the jail knows it' }),
  })
  .meta({ id: 'PutBooking' });

export const BOOKING_STATUSES = ['IN_CUSTODY', 'RELEASED'] as const;

export const SEAL_REASONS = ['COURT_ORDER', 'EXPUNGEMENT', 'OTHER'] as const;

export const sealBookingBody = z
  .strictObject({
    reason: z.enum(SEAL_REASONS).meta({ description: 'Why the record is sealed' }),
    orderReference: text(120).meta({
      description: 'The court order or expungement reference (a docket or order number, never a name)',
    }),
  })
  .meta({ id: 'SealBooking' });

export const bookingSealed = z
  .object({
    at: instant.meta({ description: 'When the person data was removed' }),
    reason: z.enum(SEAL_REASONS),
    orderReference: z.string(),
  })
  .meta({ id: 'BookingSealed', description: 'The booking was sealed: its person data is gone' });

export const bookingPurged = z
  .object({
    at: instant.meta({ description: 'When the person data was removed' }),
    personDataDaysAfterRelease: z
      .number()
      .int()
      .meta({ description: 'The county\u2019s retention setting the purge applied' }),
  })
  .meta({
    id: 'BookingPurged',
    description: 'The county\u2019s retention period after release ran out: the person data is gone',
  });

export const booking = z
  .object({
    bookingNumber,
    facilityId,
    bookedAt: instant,
    agencyOri: z.string().optional(),
    person: bookingPerson.optional().meta({ description: 'Absent once the booking is sealed or purged' }),
    charges: z
      .array(bookingCharge)
      .optional()
      .meta({ description: 'Absent once the booking is sealed or purged' }),
    scheduledReleaseAt: instant.optional(),
    status: z.enum(BOOKING_STATUSES),
    openHoldId: z.string().optional().meta({ description: 'The open hold on this booking, if any' }),
    releasedAt: instant.optional(),
    releaseReason: z
      .enum(['RELEASED', 'TRANSFERRED_TO_ICE'])
      .optional()
      .meta({ description: 'How the person left custody: released, or taken into ICE custody' }),
    sealed: bookingSealed.optional(),
    purged: bookingPurged.optional(),
    createdAt: instant,
    updatedAt: instant,
    version: z.number().int(),
  })
  .meta({ id: 'Booking' });

export type PutBooking = z.infer<typeof putBookingBody>;
export type Booking = z.infer<typeof booking>;
export type SealBooking = z.infer<typeof sealBookingBody>;
export type BookingSealed = z.infer<typeof bookingSealed>;
export type BookingPurged = z.infer<typeof bookingPurged>;
