import * as z from 'zod';

/** Building blocks of every boundary schema. All objects are strict: unknown fields are a 400. */

// A missing field reads "is required", not "expected string, received undefined".
z.config({
  customError: (issue) =>
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
});

export const US_STATES = [
  'AL',
  'AK',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'DC',
  'FL',
  'GA',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
  'AS',
  'GU',
  'MP',
  'PR',
  'VI',
] as const;

export const stateCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be 2 capital letters')
  .refine((value) => (US_STATES as readonly string[]).includes(value), 'is not a US state or territory code')
  .meta({ description: 'USPS state or territory code', example: 'FL' });

export const tenantId = z
  .string()
  .regex(/^[a-z0-9-]{3,40}$/, 'must be 3 to 40 characters of a-z, 0-9 and -')
  .meta({ description: 'The county tenant id', example: 'pinellas-fl' });

/** Ids chosen by clients (facility, officer, booking, warrant): printable, no separators we use in keys. */
export const clientId = (description: string) =>
  z
    .string()
    .min(1)
    .max(64)
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      'must be 1 to 64 characters of A-Z, a-z, 0-9, ., _ and -, starting alphanumeric',
    )
    .meta({ description });

/** Server-issued ids: ULIDs. */
export const ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID');

/**
 * Years a custody record's date or time may have. Year 0001 or 9999 is a typo or an attack, never a
 * fact: a booking "in year 1" would open a hold 2,000 years overdue and poison the state reports.
 */
export const PLAUSIBLE_YEARS = { from: 1900, to: 2199 } as const;
const plausibleYear = (value: string): boolean => {
  const year = Number(value.slice(0, 4));
  return year >= PLAUSIBLE_YEARS.from && year <= PLAUSIBLE_YEARS.to;
};
const YEAR_MESSAGE = `must be in the years ${PLAUSIBLE_YEARS.from} to ${PLAUSIBLE_YEARS.to}`;
/** Check the year only of a well-formed value: one error per mistake, not two. */
const yearCheck = {
  message: YEAR_MESSAGE,
  when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0,
};

/** RFC 3339 UTC with Z, optional fraction: the contract's only time format. */
export const instant = z.iso
  .datetime({ offset: false, message: 'must be an RFC 3339 UTC time ending in Z' })
  .refine(plausibleYear, yearCheck)
  .meta({ example: '2026-11-24T03:00:00Z' });

export const calendarDate = z.iso
  .date({ message: 'must be a date YYYY-MM-DD' })
  .refine(plausibleYear, yearCheck)
  .meta({ example: '2026-01-15' });

/**
 * Every name the runtime's time-zone database knows, canonical or alias (`America/Indiana/Indianapolis`
 * as well as `America/Indianapolis`): `supportedValuesOf` lists one name per zone only. Offsets such
 * as `+05:00`, which the formatter also takes, are not zone names.
 */
const isTimeZoneName = (value: string): boolean => {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
};

export const timeZone = z
  .string()
  .max(64)
  .refine(isTimeZoneName, 'must be an IANA time zone such as America/New_York')
  .meta({ example: 'America/New_York' });

/** Free text with a sane bound, no control characters. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is exactly "no control characters"
    .regex(/^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/, 'must not contain control characters');

export const limitQuery = z.coerce.number().int().min(1).max(100).default(50);
export const nextTokenQuery = z.string().min(1).max(2048).optional();

export const emptyObject = z.strictObject({});
