/**
 * NIEM Justice Booking-and-Release message → the booking upsert or the booking release of the
 * JSON API. A mapping, not a second model: the result is validated by the very schemas the JSON
 * routes use (putBookingBody, releaseBody), so both doors store exactly the same thing.
 *
 * Only the elements in the tables below are read; every other element is ignored, and protected
 * ones were already dropped by the decoder (tree.ts). Paths are under j:Booking and matched by
 * local name; where a table gives alternatives, the first one present is used.
 */
import type * as z from 'zod';
import { type FieldError, invalidInput } from '../errors/catalogue.ts';
import { bookingNumber as bookingNumberSchema, type PutBooking, putBookingBody } from '../schemas/booking.ts';
import { releaseBody } from '../schemas/hold.ts';
import { toIsoSeconds } from '../util/time.ts';
import { asList, invalidMessage, isObject, type NiemObject, type NiemValue } from './tree.ts';

type Kind = 'text' | 'instant' | 'date';

export interface FieldMapping {
  /** Our field: a PutBooking path, or `bookingNumber` / `releasedAt`. */
  field: string;
  /** NIEM paths under j:Booking; the first present is read. */
  niem: readonly string[];
  kind: Kind;
}

const PERSON = 'j:BookingSubject/nc:RoleOfPerson';

/** The mapping table (also in the OpenAPI description of the route). */
export const BOOKING_FIELDS: readonly FieldMapping[] = [
  { field: 'bookingNumber', niem: ['nc:ActivityIdentification/nc:IdentificationID'], kind: 'text' },
  {
    field: 'facilityId',
    niem: ['j:BookingDetentionFacility/nc:FacilityIdentification/nc:IdentificationID'],
    kind: 'text',
  },
  { field: 'bookedAt', niem: ['nc:ActivityDate/nc:DateTime'], kind: 'instant' },
  {
    field: 'agencyOri',
    niem: ['j:BookingAgency/j:OrganizationAugmentation/j:OrganizationORIIdentification/nc:IdentificationID'],
    kind: 'text',
  },
  { field: 'person.firstName', niem: [`${PERSON}/nc:PersonName/nc:PersonGivenName`], kind: 'text' },
  { field: 'person.lastName', niem: [`${PERSON}/nc:PersonName/nc:PersonSurName`], kind: 'text' },
  {
    field: 'person.dateOfBirth',
    niem: [`${PERSON}/nc:PersonBirthDate/nc:Date`, `${PERSON}/nc:PersonBirthDate/nc:DateTime`],
    kind: 'date',
  },
  {
    field: 'person.stateId',
    niem: [
      `${PERSON}/j:PersonAugmentation/j:PersonStateFingerprintIdentification/nc:IdentificationID`,
      `${PERSON}/nc:PersonStateIdentification/nc:IdentificationID`,
    ],
    kind: 'text',
  },
  {
    field: 'person.fbiNumber',
    niem: [`${PERSON}/j:PersonAugmentation/j:PersonFBIIdentification/nc:IdentificationID`],
    kind: 'text',
  },
  {
    field: 'scheduledReleaseAt',
    niem: ['j:BookingRelease/nc:ActivityScheduledDate/nc:DateTime'],
    kind: 'instant',
  },
  { field: 'releasedAt', niem: ['j:BookingRelease/nc:ActivityDate/nc:DateTime'], kind: 'instant' },
];

/** Where charges are, under j:Booking; each is read with CHARGE_FIELDS. */
export const CHARGE_SOURCES = ['j:Arrest/j:ArrestCharge', 'j:Charge'] as const;

export const CHARGE_FIELDS: readonly FieldMapping[] = [
  {
    field: 'code',
    niem: [
      'j:ChargeStatute/j:StatuteCodeIdentification/nc:IdentificationID',
      'j:ChargeStatute/j:StatuteCodeSectionIdentification/nc:IdentificationID',
    ],
    kind: 'text',
  },
  {
    field: 'description',
    niem: ['j:ChargeDescriptionText', 'j:ChargeStatute/j:StatuteDescriptionText'],
    kind: 'text',
  },
];

/** `false` here says the release has not happened, whatever date is beside it. */
const RELEASE_COMPLETED = 'j:BookingRelease/nc:ActivityCompletedIndicator';

export type MappedBookingMessage =
  | { operation: 'upsert'; bookingNumber: string; booking: PutBooking }
  | { operation: 'release'; bookingNumber: string; releasedAt: string };

const localName = (qualified: string): string => qualified.slice(qualified.lastIndexOf(':') + 1);

/** Every node at `path` (local names) under `node`, across repeated elements. */
function nodesAt(node: NiemValue, path: string): NiemValue[] {
  let current: NiemValue[] = [node];
  for (const step of path.split('/').map(localName)) {
    current = current.flatMap((item) =>
      asList(item).flatMap((entry) =>
        isObject(entry) && Object.hasOwn(entry, step) ? asList(entry[step] as NiemValue) : [],
      ),
    );
  }
  return current.flatMap(asList);
}

class Reader {
  readonly errors: FieldError[] = [];

  /** The one value of a field: the first alternative present; a conflict within it is an error. */
  read(node: NiemValue, mapping: FieldMapping, prefix: string): string | undefined {
    for (const path of mapping.niem) {
      const found = nodesAt(node, path);
      const texts = [
        ...new Set(found.filter((item): item is string => typeof item === 'string' && item !== '')),
      ];
      if (found.length > 0 && texts.length === 0) {
        this.fail(prefix, path, 'must be text');
        return undefined;
      }
      if (texts.length > 1) {
        this.fail(prefix, path, `appears with ${texts.length} different values; one is expected`);
        return undefined;
      }
      const [text] = texts;
      if (text !== undefined) return this.convert(text, mapping.kind, prefix, path);
    }
    return undefined;
  }

  fail(prefix: string, path: string, message: string): void {
    this.errors.push({ path: `body.${prefix}${path}`, message });
  }

  private convert(text: string, kind: Kind, prefix: string, path: string): string | undefined {
    if (kind === 'text') return text;
    if (kind === 'date') {
      // A birth date is a calendar date as written; a DateTime's time part says nothing more.
      const date = /^(\d{4}-\d{2}-\d{2})(?:$|T)/.exec(text)?.[1];
      if (!date) this.fail(prefix, path, 'must be a date YYYY-MM-DD');
      return date;
    }
    const instant = toUtcInstant(text);
    if (!instant) this.fail(prefix, path, 'must be a date-time with Z or a UTC offset');
    return instant;
  }
}

/**
 * NIEM date-times may carry any offset: store them as the contract's UTC `Z` form. A value
 * already in UTC is kept exactly as written, so it stores as the equivalent JSON call would.
 * A date-time without a zone is refused: guessing the jail's zone could move a deadline by hours.
 */
function toUtcInstant(text: string): string | undefined {
  const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return undefined;
  if (match[1] === 'Z') return text;
  const parsed = new Date(text);
  if (Number.isNaN(parsed.getTime())) return undefined;
  return parsed.getUTCMilliseconds() === 0 ? toIsoSeconds(parsed) : parsed.toISOString();
}

/** Sets `value` at a dotted path of a plain object being built. */
function setPath(target: Record<string, unknown>, dotted: string, value: string): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

const BOOKING = 'j:Booking/';

/** Reads the message. Throws a 400 problem naming NIEM paths for anything missing or unreadable. */
export function mapBookingMessage(message: NiemObject): MappedBookingMessage {
  const bookings = Object.hasOwn(message, 'Booking') ? asList(message.Booking as NiemValue) : [];
  const booking = bookings[0];
  if (bookings.length !== 1 || booking === undefined || !isObject(booking)) {
    throw invalidMessage('The message must contain exactly one j:Booking element.');
  }
  const reader = new Reader();
  const fields: Record<string, unknown> = {};
  for (const mapping of BOOKING_FIELDS) {
    const value = reader.read(booking, mapping, BOOKING);
    if (value !== undefined) setPath(fields, mapping.field, value);
  }
  const completed = reader.read(
    booking,
    { field: 'completed', niem: [RELEASE_COMPLETED], kind: 'text' },
    BOOKING,
  );
  if (completed === 'false' && fields.releasedAt !== undefined) {
    reader.fail(BOOKING, RELEASE_COMPLETED, 'is false, yet the release has a date: send one or the other');
  }
  const chargePaths: string[] = [];
  const charges = CHARGE_SOURCES.flatMap((source) =>
    nodesAt(booking, source).map((charge, index) => {
      const at = `${BOOKING}${source}[${index}]/`;
      chargePaths.push(at);
      const mapped: Record<string, unknown> = {};
      for (const mapping of CHARGE_FIELDS) {
        const value = reader.read(charge, mapping, at);
        if (value !== undefined) mapped[mapping.field] = value;
      }
      return mapped;
    }),
  );
  if (reader.errors.length > 0) throw invalidInput(reader.errors);

  const { bookingNumber, releasedAt, ...put } = fields;
  const number = checked(bookingNumberSchema, bookingNumber, (issue) => fieldPath('bookingNumber', issue));
  if (releasedAt !== undefined) {
    const release = checked(releaseBody, { releasedAt }, () => `${BOOKING}${niemPathOf('releasedAt')}`);
    return { operation: 'release', bookingNumber: number, releasedAt: release.releasedAt };
  }
  const upsert = checked(putBookingBody, { ...put, ...(charges.length > 0 ? { charges } : {}) }, (issue) => {
    const [first, index, field] = issue;
    if (first === 'charges' && typeof index === 'number' && typeof field === 'string') {
      const mapping = CHARGE_FIELDS.find((candidate) => candidate.field === field);
      return `${chargePaths[index] ?? `${BOOKING}charge[${index}]/`}${mapping?.niem[0] ?? field}`;
    }
    return fieldPath(issue.map(String).join('.'), issue);
  });
  return { operation: 'upsert', bookingNumber: number, booking: upsert };
}

const niemPathOf = (field: string): string | undefined =>
  BOOKING_FIELDS.find((mapping) => mapping.field === field)?.niem[0];

const fieldPath = (field: string, issue: readonly PropertyKey[]): string => {
  const niem = niemPathOf(field);
  return niem ? `${BOOKING}${niem}` : issue.map(String).join('.') || field;
};

/** Validates with one of the JSON API's schemas; errors name where in the message the value came from. */
function checked<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: (issuePath: readonly PropertyKey[]) => string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // The object was built from the mapping tables only, so there are no unknown keys to report.
  throw invalidInput(
    result.error.issues.map((issue) => ({ path: `body.${where(issue.path)}`, message: issue.message })),
  );
}
