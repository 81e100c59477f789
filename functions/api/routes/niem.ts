import * as z from 'zod';
import type { Principal } from '../../../shared/auth/principal.ts';
import { putBooking, putBookingProblems } from '../../../shared/bookings/put-booking.ts';
import { releaseBooking } from '../../../shared/holds/use-cases.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import {
  BOOKING_FIELDS,
  CHARGE_FIELDS,
  CHARGE_SOURCES,
  mapBookingMessage,
} from '../../../shared/niem/booking-mapping.ts';
import { decodeNiemJson } from '../../../shared/niem/json.ts';
import { decodedNiemMessage } from '../../../shared/niem/tree.ts';
import { decodeNiemXml } from '../../../shared/niem/xml.ts';
import { booking } from '../../../shared/schemas/booking.ts';
import { tenantId } from '../../../shared/schemas/common.ts';
import { holdSchema } from '../../../shared/schemas/hold.ts';
import type { Actor } from '../../../shared/store/holds.ts';

/**
 * NIEM Justice Booking-and-Release ingest: the message a jail-management system already produces,
 * as XML or as NIEM JSON, mapped onto the same booking upsert and booking release as the JSON API.
 */

const actorOf = (principal: Principal | undefined): Actor => ({
  kind: 'credential',
  keyId: principal?.keyId ?? 'unknown',
  role: principal?.role ?? 'unknown',
});

const mappingRows = (prefix: string, fields: typeof BOOKING_FIELDS): string[] =>
  fields.map(
    (mapping) => `| ${prefix}${mapping.field} | ${mapping.niem.map((path) => `\`${path}\``).join(' or ')} |`,
  );

/** The mapping table, for people: generated from the table the code reads. */
const MAPPING_TABLE = [
  '| field | NIEM element under `j:Booking` (first present wins) |',
  '|---|---|',
  ...mappingRows('', BOOKING_FIELDS),
  ...mappingRows(
    `charges[] (each ${CHARGE_SOURCES.map((source) => `\`${source}\``).join(' or ')}): `,
    CHARGE_FIELDS,
  ),
].join('\n');

const EXAMPLE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<br:BookingAndReleaseMessage xmlns:br="urn:example:booking-release:1.0" xmlns:nc="http://release.niem.gov/niem/niem-core/5.0/" xmlns:j="http://release.niem.gov/niem/domains/jxdm/7.2/">
  <j:Booking>
    <nc:ActivityIdentification><nc:IdentificationID>BK-2026-0001</nc:IdentificationID></nc:ActivityIdentification>
    <nc:ActivityDate><nc:DateTime>2026-11-24T01:00:00Z</nc:DateTime></nc:ActivityDate>
    <j:BookingDetentionFacility><nc:FacilityIdentification><nc:IdentificationID>main-jail</nc:IdentificationID></nc:FacilityIdentification></j:BookingDetentionFacility>
    <j:BookingSubject><nc:RoleOfPerson>
      <nc:PersonBirthDate><nc:Date>1990-04-01</nc:Date></nc:PersonBirthDate>
      <nc:PersonName><nc:PersonGivenName>Alex</nc:PersonGivenName><nc:PersonSurName>Doe</nc:PersonSurName></nc:PersonName>
    </nc:RoleOfPerson></j:BookingSubject>
  </j:Booking>
</br:BookingAndReleaseMessage>`;

const niemJsonMessage = z.record(z.string(), z.unknown()).meta({
  id: 'NiemBookingMessage',
  description:
    'A NIEM JSON (JSON-LD) Booking-and-Release message: `@context` and prefixed element names, the ' +
    '`j:Booking` object at the top or inside one message object. Elements not in the mapping table are ignored.',
  example: {
    '@context': {
      nc: 'http://release.niem.gov/niem/niem-core/5.0/#',
      j: 'http://release.niem.gov/niem/domains/jxdm/7.2/#',
    },
    'j:Booking': {
      'nc:ActivityIdentification': { 'nc:IdentificationID': 'BK-2026-0001' },
      'nc:ActivityDate': { 'nc:DateTime': '2026-11-24T01:00:00Z' },
      'j:BookingDetentionFacility': { 'nc:FacilityIdentification': { 'nc:IdentificationID': 'main-jail' } },
      'j:BookingSubject': {
        'nc:RoleOfPerson': {
          'nc:PersonBirthDate': { 'nc:Date': '1990-04-01' },
          'nc:PersonName': { 'nc:PersonGivenName': 'Alex', 'nc:PersonSurName': 'Doe' },
        },
      },
    },
  },
});

const xmlFormat = {
  decode: decodeNiemXml,
  description:
    'NIEM XML. No DOCTYPE or ENTITY declarations (400 `xml-dtd-refused`); predefined entities and character references only.',
  example: EXAMPLE_XML,
};

const ingestResult = z
  .object({
    operation: z
      .enum(['upsert', 'release'])
      .meta({ description: 'A message with a release date releases the booking; any other upserts it' }),
    bookingNumber: z.string(),
    booking: booking.optional().meta({ description: 'The stored booking (operation upsert)' }),
    release: z
      .object({
        bookingNumber: z.string(),
        status: z.literal('RELEASED'),
        releasedAt: z.string(),
        hold: holdSchema.optional(),
      })
      .optional()
      .meta({ description: 'The release, and the hold it closed (operation release)' }),
    protectedElementsDropped: z.array(z.string()).meta({
      description:
        'Elements about a person\u2019s legal status or origin that the message carried: dropped unread, never stored. Ask the vendor to stop sending them.',
    }),
  })
  .meta({ id: 'NiemIngestResult' });

export const ingestNiemBookingRoute = defineRoute({
  operationId: 'ingestNiemBooking',
  method: 'POST',
  path: '/v1/tenants/{tenantId}/bookings:niem',
  summary: 'Ingest a NIEM Booking-and-Release message (XML or NIEM JSON) as a booking upsert or release',
  tag: 'Custody',
  access: ['jail-system'],
  params: z.strictObject({ tenantId }),
  body: decodedNiemMessage,
  bodyFormats: {
    'application/xml': xmlFormat,
    'text/xml': xmlFormat,
    'application/json': {
      decode: decodeNiemJson,
      description: 'NIEM JSON (JSON-LD), as in the open NIEM examples.',
      schema: niemJsonMessage,
    },
  },
  idempotent: true,
  responses: {
    200: { description: `Updated or released. Mapping:\n\n${MAPPING_TABLE}`, schema: ingestResult },
    201: { description: 'Created (operation upsert of a new booking)', schema: ingestResult },
  },
  problems: [
    'xml-dtd-refused',
    'malformed-xml',
    'invalid-niem-message',
    ...putBookingProblems.problems,
    'release-before-booking',
    'releasedAt-in-future',
  ],
  handle: async ({ params, body }, ctx) => {
    const mapped = mapBookingMessage(body.message);
    const { protectedDropped } = body;
    if (protectedDropped.length > 0) {
      // Names only, never values: the values are exactly what must not be kept anywhere.
      ctx.deps.logger.warn('NIEM message carried protected elements; dropped unread', {
        tenantId: params.tenantId,
        requestId: ctx.requestId,
        elements: protectedDropped,
      });
    }
    const common = { bookingNumber: mapped.bookingNumber, protectedElementsDropped: protectedDropped };
    if (mapped.operation === 'release') {
      const release = await releaseBooking(
        ctx.deps,
        params.tenantId,
        mapped.bookingNumber,
        new Date(mapped.releasedAt),
        actorOf(ctx.principal),
        ctx.requestId,
      );
      return { status: 200, body: { operation: 'release', ...common, release } };
    }
    const result = await putBooking(ctx.deps, params.tenantId, mapped.bookingNumber, mapped.booking, {
      actor: actorOf(ctx.principal),
      requestId: ctx.requestId,
    });
    const created = result.outcome === 'created';
    return {
      status: created ? 201 : 200,
      body: { operation: 'upsert', ...common, booking: result.booking },
      ...(created
        ? { headers: { location: `/v1/tenants/${params.tenantId}/bookings/${mapped.bookingNumber}` } }
        : {}),
    };
  },
});

export const niemRoutes = [ingestNiemBookingRoute];
