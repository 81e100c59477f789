import * as z from 'zod';
import { auditContext } from '../../../shared/audit/tenant-audit.ts';
import { putBookingProblems } from '../../../shared/bookings/put-booking.ts';
import {
  type BatchBooking,
  type BatchOutcome,
  batchLimits,
  putBookings,
} from '../../../shared/bookings/put-bookings.ts';
import { problemOf } from '../../../shared/http/api-handler.ts';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { toFieldErrors } from '../../../shared/http/validation.ts';
import { describeProblems } from '../../../shared/openapi/problem-responses.ts';
import {
  BOOKING_BATCH_MAX,
  type BookingBatchItem,
  type BookingBatchResult,
  bookingBatchBody,
  bookingBatchItem,
  bookingBatchResponse,
  InvalidBatchItem,
} from '../../../shared/schemas/booking-batch.ts';
import { tenantId } from '../../../shared/schemas/common.ts';

/**
 * A jail vendor's first sync and nightly reconciliation: up to 500 bookings in one call, each
 * answered in its own slot exactly as its own PUT .../bookings/{bookingNumber} would answer it.
 */

/** 500 bookings of a few charges each; API Gateway takes 10 MB and a Lambda 6 MB, far above. */
export const BOOKING_BATCH_MAX_BODY_BYTES = 1024 * 1024;

const itemSlugs = putBookingProblems.problems.map((entry) => (typeof entry === 'string' ? entry : entry[0]));

export const putBookingBatchRoute = defineRoute({
  operationId: 'putBookingBatch',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/bookings:batch',
  summary: `Create or update 1 to ${BOOKING_BATCH_MAX} bookings, each answered as its own PUT would be`,
  tag: 'Custody',
  access: ['jail-system'],
  params: z.strictObject({ tenantId }),
  body: bookingBatchBody,
  maxBodyBytes: BOOKING_BATCH_MAX_BODY_BYTES,
  // The batch itself answers only the pipeline's problems; each item's are in its result (200).
  problems: [],
  responses: {
    200: {
      description:
        'One result per item, in request order; one bad item never blocks the others. Each item is ' +
        'idempotent by itself (a booking sent again unchanged is 200 and writes nothing), so a batch ' +
        'can be re-sent as a whole; Idempotency-Key is not needed. Per item: 201 created, 200 updated ' +
        'or unchanged, 400 `validation-error` (paths as for the PUT body, `body.bookingNumber` ' +
        `included), ${describeProblems(itemSlugs)}; 503 \`temporarily-unavailable\`: not written, ` +
        'send it again. The request body may be up to 1 MiB.',
      schema: bookingBatchResponse,
    },
  },
  handle: async ({ params, body }, { deps, principal, requestId, remainingMs }) => {
    const items: readonly (BookingBatchItem | InvalidBatchItem)[] = body.bookings;
    const valid = items.flatMap((item, index) =>
      item instanceof InvalidBatchItem
        ? []
        : [{ index, booking: { bookingNumber: item.bookingNumber, body: withoutNumber(item) } }],
    );
    const outcomes = await putBookings(
      deps,
      params.tenantId,
      valid.map((entry) => entry.booking),
      auditContext(principal, requestId),
      batchLimits(remainingMs),
    );
    const byIndex = new Map(valid.map((entry, position) => [entry.index, outcomes[position]]));
    const results = items.map((item, index): BookingBatchResult => {
      const bookingNumber = item instanceof InvalidBatchItem ? numberOf(item.raw) : item.bookingNumber;
      const outcome: BatchOutcome =
        item instanceof InvalidBatchItem
          ? { kind: 'refused', error: validationProblem(item.raw) }
          : (byIndex.get(index) ?? { kind: 'not-started' });
      const number = bookingNumber === undefined ? {} : { bookingNumber };
      if (outcome.kind === 'done') {
        return { ...number, status: outcome.result.outcome === 'created' ? 201 : 200 };
      }
      const error = outcome.kind === 'refused' ? outcome.error : problems.throttled();
      const path =
        bookingNumber === undefined ? undefined : `/v1/tenants/${params.tenantId}/bookings/${bookingNumber}`;
      const problem = problemOf(error, deps.logger, requestId).toBody(path);
      return { ...number, status: problem.status, problem };
    });
    // One line per batch for operations: what it did, by status (never a booking's content).
    deps.logger.info('bookings batch', {
      requestId,
      tenantId: params.tenantId,
      items: results.length,
      byStatus: Object.fromEntries(
        Object.entries(Object.groupBy(results, (result) => String(result.status))).map(([status, list]) => [
          status,
          list?.length ?? 0,
        ]),
      ),
    });
    return { status: 200, body: { results } };
  },
});

/** The item's own 400, worded exactly as the PUT's schema words it. */
function validationProblem(raw: unknown): unknown {
  const result = bookingBatchItem.safeParse(raw);
  return result.success
    ? new Error('a batch item failed validation once and passed it the second time')
    : problems.validation(toFieldErrors('body', result.error));
}

const withoutNumber = ({ bookingNumber: _number, ...body }: BookingBatchItem): BatchBooking['body'] => body;

const numberOf = (raw: unknown): string | undefined => {
  if (raw === null || typeof raw !== 'object' || !('bookingNumber' in raw)) return undefined;
  return typeof raw.bookingNumber === 'string' ? raw.bookingNumber : undefined;
};

export const bookingBatchRoutes = [putBookingBatchRoute];
