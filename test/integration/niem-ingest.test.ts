import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Hold } from '../../shared/domain/hold.ts';
import { MAX_BODY_BYTES } from '../../shared/http/api-handler.ts';
import type { Booking } from '../../shared/schemas/booking.ts';
import { tenantKeys, tenantPk } from '../../shared/store/keys.ts';
import { EXPECTED_BOOKING, FIXTURE_BOOKING_NUMBER, fixture } from '../fixtures/niem/expected.ts';
import { expectRoles, keysOf } from '../support/access.ts';
import { type County, onboardCounty } from '../support/custody.ts';
import { expectProblem } from '../support/fixtures.ts';
import { useRuntime } from '../support/runtime.ts';

/** NIEM Booking-and-Release ingest: the same booking and hold closure as the JSON API, nothing protected kept. */

const runtime = useRuntime();
let counties = 0;
const newCounty = (): Promise<County> => onboardCounty(runtime(), `niem-${++counties}`);

const XML = 'application/xml';
const NIEM_JSON = 'application/json';

const ingest = (county: County, text: string, contentType: string, key = county.jail) =>
  county.api.post<Record<string, unknown>>(`/v1/tenants/${county.tenantId}/bookings:niem`, {
    key,
    rawBody: text,
    headers: { 'content-type': contentType },
  });

const readBooking = async (county: County, bookingNumber = FIXTURE_BOOKING_NUMBER) =>
  county.api.get<Booking>(`/v1/tenants/${county.tenantId}/bookings/${bookingNumber}`, { key: county.jail });

/** Every item of the county's partition: "nothing written" means this does not change. */
async function partitionSize(county: County): Promise<number> {
  const { db } = runtime().deps;
  const page = await db.doc.send(
    new QueryCommand({
      TableName: db.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantPk(county.tenantId) },
      Select: 'COUNT',
      ConsistentRead: true,
    }),
  );
  return page.Count ?? 0;
}

/** The same hold served in a county: a warrant for the fixture booking, served by its officer now. */
async function serveOnFixtureBooking(county: County, servedAt: string): Promise<Hold> {
  const warrant = await county.api.post(`/v1/tenants/${county.tenantId}/warrants`, {
    key: county.liaison,
    body: {
      warrantId: 'W-NIEM-1',
      form: 'I-200',
      issuedAt: servedAt,
      issuingOfficer: 'SDDO Smith',
      fieldOffice: 'Miami',
      bookingNumber: FIXTURE_BOOKING_NUMBER,
    },
  });
  expect(warrant.status, warrant.text).toBe(201);
  const served = await county.api.post<Hold>(`/v1/tenants/${county.tenantId}/holds`, {
    key: county.officerKey,
    body: {
      warrantId: 'W-NIEM-1',
      bookingNumber: FIXTURE_BOOKING_NUMBER,
      officerId: county.officerId,
      servedAt,
    },
  });
  expect(served.status, served.text).toBe(201);
  return served.body;
}

/** What must be equal across counties: everything but the ids and the tenant. */
const comparable = ({ holdId: _h, tenantId: _t, ...rest }: Hold) => rest;

describe('POST /v1/tenants/{t}/bookings:niem', () => {
  it('stores a NIEM booking (XML or NIEM JSON) exactly as the equivalent JSON PUT, and answers a resend 200 unchanged', async () => {
    const [viaXml, viaNiemJson, viaJsonApi] = [await newCounty(), await newCounty(), await newCounty()];
    const xml = await ingest(viaXml, fixture('booking.xml'), XML);
    expect(xml.status, xml.text).toBe(201);
    expect(xml.headers.get('location')).toBe(
      `/v1/tenants/${viaXml.tenantId}/bookings/${FIXTURE_BOOKING_NUMBER}`,
    );
    expect(xml.body).toMatchObject({ operation: 'upsert', bookingNumber: FIXTURE_BOOKING_NUMBER });
    const json = await ingest(viaNiemJson, fixture('booking.json'), NIEM_JSON);
    expect(json.status, json.text).toBe(201);
    const put = await viaJsonApi.api.put(
      `/v1/tenants/${viaJsonApi.tenantId}/bookings/${FIXTURE_BOOKING_NUMBER}`,
      {
        key: viaJsonApi.jail,
        body: EXPECTED_BOOKING,
      },
    );
    expect(put.status, put.text).toBe(201);

    const stored = (await readBooking(viaJsonApi)).body;
    expect(stored).toMatchObject({ ...EXPECTED_BOOKING, status: 'IN_CUSTODY', version: 1 });
    expect((await readBooking(viaXml)).body).toEqual(stored);
    expect((await readBooking(viaNiemJson)).body).toEqual(stored);
    expect(xml.body.booking).toEqual(stored);

    // The same message again answers 200 as a repeated PUT does, and changes nothing (issue 17).
    const again = await ingest(viaXml, fixture('booking.xml'), 'text/xml; charset=utf-8');
    expect(again.status, again.text).toBe(200);
    expect(again.body.booking as Booking).toEqual(stored);
  });

  it('drops protected elements unread: reported by name, and nothing of them stored', async () => {
    const county = await newCounty();
    const response = await ingest(county, fixture('booking.xml'), XML);
    expect(response.status, response.text).toBe(201);
    expect(response.body.protectedElementsDropped).toEqual([
      'hs:AlienIdentification',
      'im:PersonAugmentation',
      'im:PersonNameAugmentation',
      'nc:PersonBirthLocation',
      'nc:PersonCitizenship',
      'nc:PersonNationality',
      'nc:PersonUSCitizenIndicator',
    ]);
    const { db } = runtime().deps;
    const { Item } = await db.doc.send(
      new GetCommand({
        TableName: db.tableName,
        Key: tenantKeys.booking(county.tenantId, FIXTURE_BOOKING_NUMBER),
        ConsistentRead: true,
      }),
    );
    const raw = JSON.stringify(Item);
    for (const value of [
      'Freedonia',
      'A099887766',
      'UNKNOWN',
      '"JJ"',
      'Springfield',
      'BRO',
      '2026-CF-000123',
    ]) {
      expect(raw, value).not.toContain(value);
    }
    expect(raw).not.toMatch(/citizen|nationalit|alien|immigra|birthLocation|nickname/i);
    expect(Object.keys(Item?.person ?? {}).sort()).toEqual(
      ['dateOfBirth', 'fbiNumber', 'firstName', 'lastName', 'stateId'].sort(),
    );
  });

  it('a NIEM release message closes the hold exactly as the JSON release does', async () => {
    const counties = { xml: await newCounty(), niemJson: await newCounty(), jsonApi: await newCounty() };
    await ingest(counties.xml, fixture('booking.xml'), XML);
    await ingest(counties.niemJson, fixture('booking.json'), NIEM_JSON);
    await counties.jsonApi.api.put(
      `/v1/tenants/${counties.jsonApi.tenantId}/bookings/${FIXTURE_BOOKING_NUMBER}`,
      {
        key: counties.jsonApi.jail,
        body: EXPECTED_BOOKING,
      },
    );
    const servedAt = '2026-11-24T03:00:00Z';
    for (const county of Object.values(counties)) await serveOnFixtureBooking(county, servedAt);
    const releasedAt = '2026-11-24T06:30:00Z';
    if (runtime().clock.now().getTime() < Date.parse(releasedAt))
      await runtime().advanceTo(new Date(releasedAt));

    const xml = await ingest(counties.xml, fixture('release.xml'), XML);
    expect(xml.status, xml.text).toBe(200);
    expect(xml.body).toMatchObject({
      operation: 'release',
      release: { status: 'RELEASED', releasedAt, hold: { status: 'RELEASED', releasedAt, late: false } },
    });
    const niemJson = await ingest(counties.niemJson, fixture('release.json'), NIEM_JSON);
    expect(niemJson.status, niemJson.text).toBe(200);
    const json = await counties.jsonApi.api.post<{ hold: Hold }>(
      `/v1/tenants/${counties.jsonApi.tenantId}/bookings/${FIXTURE_BOOKING_NUMBER}/release`,
      { key: counties.jsonApi.jail, body: { releasedAt } },
    );
    expect(json.status, json.text).toBe(200);

    const expected = comparable(json.body.hold);
    expect(expected).toMatchObject({ status: 'RELEASED', releasedAt });
    const expectedBooking = (await readBooking(counties.jsonApi)).body;
    expect(expectedBooking).toMatchObject({ status: 'RELEASED', releasedAt });
    for (const county of [counties.xml, counties.niemJson]) {
      const holds = await county.api.get<{ items: Hold[] }>(`/v1/tenants/${county.tenantId}/holds`, {
        key: county.admin,
      });
      expect(holds.body.items.map(comparable)).toEqual([expected]);
      expect((await readBooking(county)).body).toEqual(expectedBooking);
    }

    // A resend of the release is refused as the JSON release is: the booking is released.
    expectProblem(await ingest(counties.xml, fixture('release.xml'), XML), 409, 'booking-released');
  });

  it('refuses a DOCTYPE (external entity, entity expansion) and malformed XML with 400, writing nothing', async () => {
    const county = await newCounty();
    const before = await partitionSize(county);
    for (const [name, slug, bookingNumber] of [
      ['external-entity.xml', 'xml-dtd-refused', 'BK-XXE-0001'],
      ['billion-laughs.xml', 'xml-dtd-refused', 'BK-LOL-0001'],
      ['malformed.xml', 'malformed-xml', 'BK-BAD-0001'],
    ] as const) {
      const response = await ingest(county, fixture(name), XML);
      expectProblem(response, 400, slug);
      expect(response.text, name).not.toContain('root:');
      expectProblem(await readBooking(county, bookingNumber), 404);
    }
    expect(await partitionSize(county)).toBe(before);
  });

  it('answers 400 naming the NIEM element, 404 for an unknown booking\u2019s release, 415, 413 and 422 as PUT does', async () => {
    const county = await newCounty();
    const before = await partitionSize(county);
    const noName = fixture('booking.xml').replace('<nc:PersonSurName>O&apos;Neill</nc:PersonSurName>', '');
    const invalid = await ingest(county, noName, XML);
    expectProblem(invalid, 400, 'validation-error');
    expect(invalid.body.errors).toEqual([
      {
        path: 'body.j:Booking/j:BookingSubject/nc:RoleOfPerson/nc:PersonName/nc:PersonSurName',
        message: 'is required',
      },
    ]);
    expectProblem(await ingest(county, fixture('release.xml'), XML), 404, 'not-found');
    const unsupported = await ingest(county, fixture('booking.xml'), 'text/plain');
    expectProblem(unsupported, 415, 'unsupported-media-type');
    expect(unsupported.body.detail).toContain('application/xml');
    const padding = `<!-- ${'x'.repeat(MAX_BODY_BYTES)} -->`;
    expectProblem(await ingest(county, fixture('booking.xml') + padding, XML), 413, 'payload-too-large');
    expectProblem(await ingest(county, '', XML), 400, 'validation-error');
    expectProblem(await ingest(county, '{"j:Booking": ', NIEM_JSON), 400, 'malformed-json');
    const elsewhere = fixture('booking.xml').replace('>main-jail<', '>annex<');
    expectProblem(await ingest(county, elsewhere, XML), 422, 'facility-not-found');
    expect(await partitionSize(county)).toBe(before);
  });

  it('only a jail-system key of the county may send; another county\u2019s key gets 404', async () => {
    const county = await newCounty();
    const other = await newCounty();
    await expectRoles(keysOf(county, runtime().adminKey), ['jail-system'], (key) =>
      ingest(county, fixture('booking.xml'), XML, key),
    );
    expectProblem(await ingest(county, fixture('booking.xml'), XML, other.jail), 404, 'not-found');
  });

  it('is in the OpenAPI document with its XML and NIEM JSON bodies', async () => {
    const county = await newCounty();
    const document = await county.api.get<{
      paths: Record<
        string,
        Record<string, { requestBody: { content: Record<string, { schema: unknown }> } }>
      >;
    }>('/v1/openapi.json');
    const operation = document.body.paths['/v1/tenants/{tenantId}/bookings:niem']?.post;
    expect(Object.keys(operation?.requestBody.content ?? {}).sort()).toEqual([
      'application/json',
      'application/xml',
      'text/xml',
    ]);
    expect(operation?.requestBody.content['application/xml']?.schema).toMatchObject({ type: 'string' });
    expect(operation?.requestBody.content['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/NiemBookingMessage',
    });
  });
});
