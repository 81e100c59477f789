import * as z from 'zod';
import { logPersonDataRead } from '../../../shared/audit/person-data-read.ts';
import { auditContext } from '../../../shared/audit/tenant-audit.ts';
import { putBooking, putBookingProblems } from '../../../shared/bookings/put-booking.ts';
import { isInFuture } from '../../../shared/domain/custody-rules.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { booking, bookingNumber, putBookingBody } from '../../../shared/schemas/booking.ts';
import { tenantId } from '../../../shared/schemas/common.ts';
import { recordWarrantBody, warrant, warrantId } from '../../../shared/schemas/warrant.ts';
import { getBooking } from '../../../shared/store/bookings.ts';
import { getWarrant, recordWarrant } from '../../../shared/store/warrants.ts';

/**
 * Custody records: bookings as the jail reports them and the ICE warrants that name them. Release
 * and withdrawal close holds, so they live with the hold engine.
 */

const tenantParams = z.strictObject({ tenantId });
const bookingParams = z.strictObject({ tenantId, bookingNumber });
const warrantParams = z.strictObject({ tenantId, warrantId });

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
  problems: putBookingProblems.problems,
  handle: async ({ params, body }, { deps, principal, requestId }) => {
    const audit = auditContext(principal, requestId);
    const result = await putBooking(deps, params.tenantId, params.bookingNumber, body, audit);
    if (result.outcome !== 'created') return { status: 200, body: result.booking };
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
