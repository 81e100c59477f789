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

export const booking = z
  .object({
    bookingNumber,
    facilityId,
    bookedAt: instant,
    agencyOri: z.string().optional(),
    person: bookingPerson,
    charges: z.array(bookingCharge),
    scheduledReleaseAt: instant.optional(),
    status: z.enum(BOOKING_STATUSES),
    openHoldId: z.string().optional().meta({ description: 'The open hold on this booking, if any' }),
    releasedAt: instant.optional(),
    releaseReason: z
      .enum(['RELEASED', 'TRANSFERRED_TO_ICE'])
      .optional()
      .meta({ description: 'How the person left custody: released, or taken into ICE custody' }),
    createdAt: instant,
    updatedAt: instant,
    version: z.number().int(),
  })
  .meta({ id: 'Booking' });

export type PutBooking = z.infer<typeof putBookingBody>;
export type Booking = z.infer<typeof booking>;
