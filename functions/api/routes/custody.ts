import * as z from 'zod';
import type { AppDeps } from '../../../shared/app-deps.ts';
import { logPersonDataRead } from '../../../shared/audit/person-data-read.ts';
import { type AuditContext, auditContext } from '../../../shared/audit/tenant-audit.ts';
import { isInFuture, utcDate } from '../../../shared/domain/custody-rules.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import {
  type Booking,
  booking,
  bookingNumber,
  type PutBooking,
  putBookingBody,
} from '../../../shared/schemas/booking.ts';
import { tenantId } from '../../../shared/schemas/common.ts';
import { recordWarrantBody, warrant, warrantId } from '../../../shared/schemas/warrant.ts';
import { getBooking, upsertBooking } from '../../../shared/store/bookings.ts';
import { getWarrant, recordWarrant } from '../../../shared/store/warrants.ts';

/**
 * Custody records: bookings as the jail reports them and the ICE warrants that name them. Release
 * and withdrawal close holds, so they live with the hold engine.
 */

const tenantParams = z.strictObject({ tenantId });
const bookingParams = z.strictObject({ tenantId, bookingNumber });
const warrantParams = z.strictObject({ tenantId, warrantId });

/**
 * The booking upsert with its rules: PUT .../bookings/{n} and the NIEM adapter both come through
 * here, so a booking stores the same whichever door it came in by.
 */
export async function upsertBookingChecked(
  deps: AppDeps,
  tenantId: string,
  number: string,
  body: PutBooking,
  audit: AuditContext,
): Promise<{ created: boolean; booking: Booking }> {
  const now = deps.clock.now();
  if (isInFuture(body.bookedAt, now)) {
    throw problems.rule('booked-at-in-future', 'bookedAt is in the future.');
  }
  if (body.person.dateOfBirth > utcDate(now)) {
    throw problems.rule('date-of-birth-in-future', 'person.dateOfBirth is in the future.');
  }
  const result = await upsertBooking(deps, tenantId, number, body, now, audit);
  if (result.kind === 'facility-not-found') {
    throw problems.rule('facility-not-found', `Facility ${body.facilityId} does not exist in this county.`);
  }
  if (result.kind === 'released') {
    throw problems.conflict('booking-released', `Booking ${number} was released.`);
  }
  if (result.kind === 'sealed') {
    throw problems.conflict(
      'booking-sealed',
      `Booking ${number} is sealed: it takes no person data again; a new stay gets a new number.`,
    );
  }
  if (result.kind === 'conflict') {
    throw problems.conflict('concurrent-modification', 'The booking changed meanwhile; read it and retry.');
  }
  return { created: result.kind === 'created', booking: result.booking };
}

export const putBookingRoute = defineRoute({
  operationId: 'putBooking',
  method: 'PUT',
  path: '/v1/tenants/{tenantId}/bookings/{bookingNumber}',
  summary: 'Create or update a booking by its number (status IN_CUSTODY)',
  tag: 'Custody',
  access: ['jail-system'],
  params: bookingParams,
  body: putBookingBody,
  idempotent: true,
  responses: {
    200: { description: 'Updated', schema: booking },
    201: { description: 'Created', schema: booking },
  },
  problems: [
    ['booking-released', 409],
    'booking-sealed',
    'concurrent-modification',
    'facility-not-found',
    'booked-at-in-future',
    'date-of-birth-in-future',
  ],
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const audit = auditContext(principal, requestId);
    const result = await upsertBookingChecked(deps, params.tenantId, params.bookingNumber, body, audit);
    if (!result.created) return { status: 200, body: result.booking };
    return {
      status: 201,
      body: result.booking,
      headers: { location: `/v1/tenants/${params.tenantId}/bookings/${params.bookingNumber}` },
    };
  },
});

export const getBookingRoute = defineRoute({
  operationId: 'getBooking',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/bookings/{bookingNumber}',
  summary: 'Read a booking',
  tag: 'Custody',
  access: ['county-admin', 'jail-system', 'ice-liaison'],
  params: bookingParams,
  responses: { 200: { description: 'The booking', schema: booking } },
  problems: [],
  handle: async ({ params }, { deps, principal, requestId }) => {
    const found = await getBooking(deps.db, params.tenantId, params.bookingNumber);
    if (!found) throw problems.notFound('The booking');
    logPersonDataRead(deps.logger, {
      principal,
      tenantId: params.tenantId,
      record: 'booking',
      bookingNumber: params.bookingNumber,
      requestId,
    });
    return { status: 200, body: found };
  },
});

export const recordWarrantRoute = defineRoute({
  operationId: 'recordWarrant',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/warrants',
  summary: 'Record an ICE administrative warrant (I-200 or I-205) naming a booking',
  tag: 'Custody',
  access: ['ice-liaison', 'jail-system'],
  params: tenantParams,
  body: recordWarrantBody,
  idempotent: true,
  responses: {
    201: { description: 'Recorded (status RECEIVED)', schema: warrant },
  },
  problems: ['warrant-exists', 'booking-not-found', 'issued-at-in-future'],
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const now = deps.clock.now();
    if (isInFuture(body.issuedAt, now))
      throw problems.rule('issued-at-in-future', 'issuedAt is in the future.');
    const result = await recordWarrant(deps, params.tenantId, body, now, auditContext(principal, requestId));
    if (result.kind === 'booking-not-found') {
      throw problems.rule(
        'booking-not-found',
        `Booking ${body.bookingNumber} does not exist in this county.`,
      );
    }
    if (result.kind === 'exists') {
      throw problems.conflict('warrant-exists', `Warrant ${body.warrantId} is already recorded.`);
    }
    return {
      status: 201,
      body: result.warrant,
      headers: { location: `/v1/tenants/${params.tenantId}/warrants/${body.warrantId}` },
    };
  },
});

export const getWarrantRoute = defineRoute({
  operationId: 'getWarrant',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/warrants/{warrantId}',
  summary: 'Read a warrant',
  tag: 'Custody',
  access: ['county-admin', 'ice-liaison', 'jail-system'],
  params: warrantParams,
  responses: { 200: { description: 'The warrant', schema: warrant } },
  problems: [],
  handle: async ({ params }, { deps }) => {
    const found = await getWarrant(deps.db, params.tenantId, params.warrantId);
    if (!found) throw problems.notFound('The warrant');
    return { status: 200, body: found };
  },
});

export const custodyRoutes = [putBookingRoute, getBookingRoute, recordWarrantRoute, getWarrantRoute];
