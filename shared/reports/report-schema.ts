/** Zod schemas of the oversight endpoints: query strings (strict) and the documented responses. */
import * as z from 'zod';
import { stateCode } from '../schemas/common.ts';
import { MONTH_PATTERN } from './months.ts';

export const month = z
  .string()
  .regex(MONTH_PATTERN, 'must be a month YYYY-MM')
  .meta({ description: 'A calendar month', example: '2026-03' });

export const rangeQuery = z.strictObject({
  from: month.optional().meta({ description: 'First month (default: 11 months before `to`)' }),
  to: month.optional().meta({ description: 'Last month, included (default: the current month, UTC)' }),
});

export const reportQuery = z.strictObject({
  ...rangeQuery.shape,
  format: z
    .enum(['json', 'csv'])
    .default('json')
    .meta({ description: '`csv`: text/csv, one row per county and month, with a header row' }),
});

const count = z.number().int().nonnegative();
const hours = z
  .number()
  .nullable()
  .meta({
    description:
      'Hours, measured to the whole minute and rounded to 0.01 h (nearest rank); months counted before ' +
      'minutes were kept: the upper bound of the histogram bucket; null without transfers',
  });

export const figuresSchema = z
  .object({
    warrantsServed: count.meta({ description: 'Every recorded service (WSO and IGSA)' }),
    holdsOpened: count.meta({ description: 'WSO holds: the 48-hour clock started' }),
    transferredInTime: count,
    transferredLate: count,
    releasedByDeadline: count,
    releasedLate: count,
    overdue: count.meta({ description: 'Held past the deadline: closed late, or open and OVERDUE' }),
    overdueMinutes: count.meta({
      description: 'Deadline to the closing fact, or to generatedAt for open holds; summed, whole minutes',
    }),
    cancelled: count,
    igsaHolds: count,
    open: count,
    reviewsOpen: count,
    reviewsClosed: count,
    officersCredentialed: count.meta({ description: 'Credentials recorded in the month' }),
    medianHoursToTransfer: hours,
    p95HoursToTransfer: hours,
  })
  .meta({ id: 'OversightFigures' });

const monthFigures = figuresSchema.extend({ month });

export const stateReportSchema = z
  .object({
    state: stateCode,
    from: month,
    to: month,
    generatedAt: z.string(),
    monthBasis: z.literal('servedAt in the county time zone'),
    counties: z.array(
      z.object({
        tenantId: z.string(),
        countyFips: z.string(),
        name: z.string(),
        timeZone: z.string(),
        months: z.array(monthFigures),
        totals: figuresSchema,
      }),
    ),
    monthlyTotals: z.array(monthFigures),
    totals: figuresSchema,
  })
  .meta({ id: 'StateReport' });
