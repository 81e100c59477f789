import * as z from 'zod';
import { auditContext } from '../../../shared/audit/tenant-audit.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { sealBooking } from '../../../shared/lifecycle/seal.ts';
import { booking, bookingNumber, sealBookingBody } from '../../../shared/schemas/booking.ts';
import { tenantId } from '../../../shared/schemas/common.ts';

/** The person-data lifecycle (issue 17): sealing a booking. The retention purge is a daily job. */

export const sealBookingRoute = defineRoute({
  operationId: 'sealBooking',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/bookings/{bookingNumber}/seal',
  summary: 'Seal a booking by court order or expungement: its person data is removed everywhere',
  tag: 'Custody',
  access: ['county-admin'],
  params: z.strictObject({ tenantId, bookingNumber }),
  body: sealBookingBody,
  idempotent: true,
  responses: {
    200: {
      description:
        'The sealed booking: number, facility, dates, status and `sealed`; no person data (a sealed ' +
        'booking answers as it is)',
      schema: booking,
    },
  },
  problems: [['open-hold-exists', 409], 'concurrent-modification'],
  handle: async ({ params, body }, { deps, principal, requestId }) => ({
    status: 200,
    body: await sealBooking(
      deps,
      params.tenantId,
      params.bookingNumber,
      body,
      auditContext(principal, requestId),
    ),
  }),
});

export const lifecycleRoutes = [sealBookingRoute];
