import { describe, expect, it } from 'vitest';
import { DomainError } from '../../shared/errors/catalogue.ts';
import { fromDomainError, type ProblemError } from '../../shared/http/problem.ts';
import { mapBookingMessage } from '../../shared/niem/booking-mapping.ts';
import { decodeNiemJson } from '../../shared/niem/json.ts';
import { isProtectedElement } from '../../shared/niem/tree.ts';
import { decodeNiemXml } from '../../shared/niem/xml.ts';
import { EXPECTED_BOOKING, fixture } from '../fixtures/niem/expected.ts';

const PROTECTED_IN_FIXTURE = [
  'hs:AlienIdentification',
  'im:PersonAugmentation',
  'im:PersonNameAugmentation',
  'nc:PersonBirthLocation',
  'nc:PersonCitizenship',
  'nc:PersonNationality',
  'nc:PersonUSCitizenIndicator',
];

/** Runs `work`, expecting a refusal; returns it as the HTTP edge answers it. */
function problemOf(work: () => unknown): ProblemError {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return fromDomainError(error);
    throw error;
  }
  throw new Error('expected a problem');
}

describe('the NIEM booking mapping', () => {
  it('reads the XML booking message into the JSON API\u2019s booking upsert', () => {
    const decoded = decodeNiemXml(fixture('booking.xml'));
    expect(mapBookingMessage(decoded.message)).toEqual({
      operation: 'upsert',
      bookingNumber: 'BK-NIEM-0001',
      booking: EXPECTED_BOOKING,
    });
    expect(decoded.protectedDropped).toEqual(PROTECTED_IN_FIXTURE);
  });

  it('reads the NIEM JSON form of the same message to the very same upsert', () => {
    const decoded = decodeNiemJson(fixture('booking.json'));
    expect(mapBookingMessage(decoded.message)).toEqual(
      mapBookingMessage(decodeNiemXml(fixture('booking.xml')).message),
    );
    expect(decoded.protectedDropped).toEqual(PROTECTED_IN_FIXTURE);
  });

  it('never carries a protected element or its value past the decoder', () => {
    for (const decoded of [decodeNiemXml(fixture('booking.xml')), decodeNiemJson(fixture('booking.json'))]) {
      const text = JSON.stringify(decoded.message);
      for (const value of ['Freedonia', 'A099887766', 'UNKNOWN', 'JJ', 'Citizen', 'Nationality', 'Alien']) {
        expect(text, value).not.toContain(value);
      }
    }
  });

  it('reads a release message as the booking release', () => {
    for (const decoded of [decodeNiemXml(fixture('release.xml')), decodeNiemJson(fixture('release.json'))]) {
      expect(mapBookingMessage(decoded.message)).toEqual({
        operation: 'release',
        bookingNumber: 'BK-NIEM-0001',
        releasedAt: '2026-11-24T06:30:00Z',
      });
    }
  });

  it('names the NIEM element of every missing or unreadable field', () => {
    const xml = fixture('booking.xml')
      .replace('<nc:PersonGivenName>Jordan</nc:PersonGivenName>', '')
      .replace('2026-11-23T20:15:00-05:00', '2026-11-23T20:15:00');
    const problem = problemOf(() => mapBookingMessage(decodeNiemXml(xml).message));
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([
      {
        path: 'body.j:Booking/nc:ActivityDate/nc:DateTime',
        message: 'must be a date-time with Z or a UTC offset',
      },
    ]);
    const noName = fixture('booking.xml').replace('<nc:PersonGivenName>Jordan</nc:PersonGivenName>', '');
    expect(problemOf(() => mapBookingMessage(decodeNiemXml(noName).message)).errors).toEqual([
      {
        path: 'body.j:Booking/j:BookingSubject/nc:RoleOfPerson/nc:PersonName/nc:PersonGivenName',
        message: 'is required',
      },
    ]);
    const badOri = fixture('booking.xml').replace('FL0520000', 'nope');
    expect(problemOf(() => mapBookingMessage(decodeNiemXml(badOri).message)).errors?.[0]?.path).toBe(
      'body.j:Booking/j:BookingAgency/j:OrganizationAugmentation/j:OrganizationORIIdentification/nc:IdentificationID',
    );
  });

  it('refuses two different values for one field and a release both completed and not', () => {
    const twice = fixture('booking.xml').replace(
      '<nc:PersonSurName>O&apos;Neill</nc:PersonSurName>',
      '<nc:PersonSurName>O&apos;Neill</nc:PersonSurName><nc:PersonSurName>Smith</nc:PersonSurName>',
    );
    expect(problemOf(() => mapBookingMessage(decodeNiemXml(twice).message)).errors?.[0]).toMatchObject({
      message: 'appears with 2 different values; one is expected',
    });
    const contradictory = fixture('release.xml').replace(
      '<nc:ActivityCompletedIndicator>true</nc:ActivityCompletedIndicator>',
      '<nc:ActivityCompletedIndicator>false</nc:ActivityCompletedIndicator>',
    );
    expect(problemOf(() => mapBookingMessage(decodeNiemXml(contradictory).message)).errors?.[0]?.path).toBe(
      'body.j:Booking/j:BookingRelease/nc:ActivityCompletedIndicator',
    );
  });

  it('needs exactly one j:Booking', () => {
    expect(problemOf(() => decodeNiemJson('["j:Booking"]')).slug).toBe('invalid-niem-message');
    const none = decodeNiemJson('{"@context": {}, "nc:Case": {"nc:CaseDocketID": "1"}}');
    expect(problemOf(() => mapBookingMessage(none.message)).slug).toBe('invalid-niem-message');
    const two = decodeNiemJson('{"j:Booking": [{}, {}]}');
    expect(problemOf(() => mapBookingMessage(two.message)).slug).toBe('invalid-niem-message');
  });
});

/** The NIEM namespaces the short XML snippets below bind their prefixes to. */
const NS = [
  'xmlns:j="http://release.niem.gov/niem/domains/jxdm/7.2/"',
  'xmlns:nc="http://release.niem.gov/niem/niem-core/5.0/"',
  'xmlns:s="http://release.niem.gov/niem/structures/5.0/"',
].join(' ');

describe('the XML decoder', () => {
  it('reads elements by namespace, not by the prefix written', () => {
    const booking = fixture('booking.xml');
    // Any prefix bound to the Justice namespace is j:.
    const renamed = booking.replaceAll('j:', 'justice:').replace('xmlns:j=', 'xmlns:justice=');
    expect(mapBookingMessage(decodeNiemXml(renamed).message)).toEqual(
      mapBookingMessage(decodeNiemXml(booking).message),
    );
    // j: bound to another namespace is not NIEM: there is no booking to read.
    const foreign = booking.replace(
      'xmlns:j="http://release.niem.gov/niem/domains/jxdm/7.2/"',
      'xmlns:j="urn:example:not-niem"',
    );
    expect(problemOf(() => mapBookingMessage(decodeNiemXml(foreign).message)).slug).toBe(
      'invalid-niem-message',
    );
    // An unbound prefix is malformed XML.
    expect(problemOf(() => decodeNiemXml('<m><j:Booking/></m>'))).toMatchObject({
      status: 400,
      slug: 'malformed-xml',
    });
  });

  it('refuses any DTD: external entities and entity expansion never reach the parser', () => {
    for (const name of ['external-entity.xml', 'billion-laughs.xml']) {
      const problem = problemOf(() => decodeNiemXml(fixture(name)));
      expect(problem.status, name).toBe(400);
      expect(problem.slug, name).toBe('xml-dtd-refused');
    }
    expect(problemOf(() => decodeNiemXml('<!doctype x><x/>')).slug).toBe('xml-dtd-refused');
    expect(problemOf(() => decodeNiemXml('<x><!ENTITY a "b"></x>')).slug).toBe('xml-dtd-refused');
    expect(problemOf(() => decodeNiemXml('<!-- a comment --><!DOCTYPE x><x/>')).slug).toBe('xml-dtd-refused');
  });

  it('reads a DOCTYPE mentioned inside CDATA or a comment as text, not as a declaration', () => {
    const xml = fixture('booking.xml').replace(
      '<nc:PersonGivenName>Jordan</nc:PersonGivenName>',
      '<!-- no <!DOCTYPE here --><nc:PersonGivenName><![CDATA[Jordan <!DOCTYPE x>]]></nc:PersonGivenName>',
    );
    expect(JSON.stringify(decodeNiemXml(xml).message)).toContain('Jordan <!DOCTYPE x>');
  });

  it('refuses malformed XML, undeclared entities and bad character references', () => {
    expect(problemOf(() => decodeNiemXml(fixture('malformed.xml')))).toMatchObject({
      status: 400,
      slug: 'malformed-xml',
    });
    expect(problemOf(() => decodeNiemXml(`<m ${NS}><j:Booking>&xxe;</j:Booking></m>`)).message).toContain(
      '&xxe;',
    );
    expect(problemOf(() => decodeNiemXml(`<m ${NS}><j:Booking>&#0;</j:Booking></m>`)).slug).toBe(
      'malformed-xml',
    );
    expect(problemOf(() => decodeNiemXml('not xml at all')).status).toBe(400);
  });

  it('reads UTF-8 only (a byte-order mark is fine)', () => {
    const latin1 = fixture('release.xml').replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    expect(problemOf(() => decodeNiemXml(latin1))).toMatchObject({ status: 415 });
    expect(mapBookingMessage(decodeNiemXml(`\uFEFF${fixture('release.xml')}`).message).operation).toBe(
      'release',
    );
  });

  it('resolves predefined entities and character references once, and ignores attributes', () => {
    const decoded = decodeNiemXml(
      `<m ${NS}><j:Booking s:id="b1"><nc:X>&amp;lt; &#65;&#x42; &quot;q&quot;</nc:X></j:Booking></m>`,
    );
    expect(decoded.message).toEqual({ Booking: { X: '&lt; AB "q"' } });
  });

  it('refuses nesting deeper than any booking message, and keys that would pollute prototypes', () => {
    const deep = `<m>${'<a>'.repeat(200)}x${'</a>'.repeat(200)}</m>`;
    expect(problemOf(() => decodeNiemXml(deep)).status).toBe(400);
    expect(
      problemOf(() => decodeNiemXml('<m><__proto__><polluted>yes</polluted></__proto__></m>')).status,
    ).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the NIEM JSON decoder', () => {
  it('refuses malformed JSON and nesting past the limit', () => {
    expect(problemOf(() => decodeNiemJson('{"j:Booking": '))).toMatchObject({
      status: 400,
      slug: 'malformed-json',
    });
    const deep = `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`;
    expect(problemOf(() => decodeNiemJson(deep)).slug).toBe('invalid-niem-message');
  });

  it('unwraps JSON-LD value objects and never sets a prototype key', () => {
    const decoded = decodeNiemJson(
      '{"j:Booking": {"nc:X": {"@value": "v", "@type": "t"}, "__proto__": {"polluted": "yes"}, "@id": "b1"}}',
    );
    expect(decoded.message).toEqual({ Booking: { X: 'v' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('protected elements', () => {
  it('are recognized by name and by the immigration domain\u2019s prefix, and ordinary ones are not', () => {
    for (const name of [
      'nc:PersonUSCitizenIndicator',
      'nc:PersonCitizenshipText',
      'nc:PersonNationality',
      'hs:AlienIdentification',
      'im:PersonNickName',
      'nc:PersonBirthLocation',
      'j:PersonCountryOfBirthCode',
      'ImmigrationStatus',
      'nc:PersonVisa',
      'PassportNumber',
    ]) {
      expect(isProtectedElement(name), name).toBe(true);
    }
    for (const name of [
      'nc:PersonGivenName',
      'nc:PersonBirthDate',
      'j:PersonFBIIdentification',
      'nc:Provision',
    ]) {
      expect(isProtectedElement(name), name).toBe(false);
    }
  });
});
