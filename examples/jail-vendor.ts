/**
 * A jail-management vendor's integration, end to end, in plain `fetch`: what a vendor writes
 * against the WSO Custody Platform API. Run `npm start` in one terminal, then `npm run example`.
 *
 * Environment:
 *   WSO_URL               base URL (default http://127.0.0.1:3000)
 *   WSO_TENANT_ID         the county (default demo-county-fl)
 *   WSO_COUNTY_ADMIN_KEY  a county-admin key of that county, and
 *   WSO_JAIL_KEY          a jail-system key of it; or, instead of both,
 *   WSO_ADMIN_KEY         the platform-admin key `npm start` printed: the example then onboards the
 *                         county (once) and issues the two keys itself.
 */

export interface ExampleOptions {
  baseUrl: string;
  /** A platform-admin key, used only when county keys are not given. */
  adminKey?: string;
  tenantId?: string;
  countyAdminKey?: string;
  jailKey?: string;
  /** The clock the times sent are taken from (tests run the platform on a virtual clock). */
  now?: () => Date;
  log?: (line: string) => void;
}

export interface ExampleResult {
  tenantId: string;
  bookingNumber: string;
  warrantId: string;
  officerIds: string[];
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export async function main(options: ExampleOptions): Promise<ExampleResult> {
  const log = options.log ?? console.log;
  const now = options.now ?? (() => new Date());
  const tenantId = options.tenantId ?? 'demo-county-fl';
  const base = `/v1/tenants/${tenantId}`;

  const call = async (
    method: string,
    path: string,
    key: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(options.baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const reply: Reply = {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    log(`${method} ${path} -> ${reply.status}`);
    return reply;
  };
  /** Fails loudly on anything but the expected statuses, showing the problem document. */
  const expect = (reply: Reply, ...ok: number[]): Record<string, unknown> => {
    if (!ok.includes(reply.status)) {
      throw new Error(`unexpected ${reply.status}: ${JSON.stringify(reply.body)}`);
    }
    return reply.body;
  };

  let { countyAdminKey, jailKey } = options;
  if (!countyAdminKey || !jailKey) {
    const adminKey = options.adminKey;
    if (!adminKey) throw new Error('give WSO_COUNTY_ADMIN_KEY and WSO_JAIL_KEY, or WSO_ADMIN_KEY');
    log(`Onboarding ${tenantId} (409 means it already exists) and issuing its keys`);
    const county = {
      tenantId,
      countyFips: '12103',
      state: 'FL',
      name: 'Demo County',
      timeZone: 'America/New_York',
      agreements: { wsoMoaSignedOn: '2019-05-01', igsa: false, boa: true },
    };
    expect(await call('POST', '/v1/tenants', adminKey, county), 201, 409);
    const issue = async (role: string) =>
      String(
        expect(await call('POST', `${base}/api-keys`, adminKey, { name: `example ${role}`, role }), 201)
          .apiKey,
      );
    countyAdminKey ??= await issue('county-admin');
    jailKey ??= await issue('jail-system');
  }

  log('County set-up: a facility and a nominated officer (409 means they exist)');
  const facilityId = 'main-jail';
  expect(
    await call('POST', `${base}/facilities`, countyAdminKey, { facilityId, name: 'Main Jail' }),
    201,
    409,
  );
  const nominee = {
    officerId: 'wso-dana-reyes',
    name: 'Dana Reyes',
    badgeNumber: '4471',
    facilityIds: [facilityId],
  };
  expect(await call('POST', `${base}/officers`, countyAdminKey, nominee), 201, 409);

  const bookedAt = new Date(now().getTime() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const bookingNumber = `BK-${bookedAt.replace(/\D/g, '')}`;
  log(`Booking ${bookingNumber} into ${facilityId} (PUT is an upsert: 201 created, 200 updated)`);
  const booking = expect(
    await call('PUT', `${base}/bookings/${bookingNumber}`, jailKey, {
      facilityId,
      bookedAt,
      agencyOri: 'FL0520000',
      person: { firstName: 'Alex', lastName: 'Doe', dateOfBirth: '1990-04-01', fbiNumber: '123456AB7' },
      charges: [{ code: '316.193', description: 'DUI' }],
    }),
    200,
    201,
  );
  log(`  status ${String(booking.status)}, version ${String(booking.version)}`);

  const warrantId = `I200-${bookingNumber}`;
  log(`Recording warrant ${warrantId}; an Idempotency-Key makes a retry after a timeout safe`);
  const warrantBody = {
    warrantId,
    form: 'I-200',
    issuedAt: bookedAt,
    issuingOfficer: 'SDDO J. Smith',
    fieldOffice: 'Miami',
    bookingNumber,
  };
  const recorded = await call('POST', `${base}/warrants`, jailKey, warrantBody, {
    'idempotency-key': warrantId,
  });
  const warrant = expect(recorded, 201, 409);
  log(`  ${recorded.status === 409 ? 'already recorded' : `status ${String(warrant.status)}`}`);

  log('The officer roster, as the county-admin sees it');
  const roster = expect(await call('GET', `${base}/officers?limit=100`, countyAdminKey), 200);
  const officers = (roster.items as { officerId: string; status: string; credentialActive: boolean }[]) ?? [];
  for (const officer of officers) {
    log(
      `  ${officer.officerId}: ${officer.status}${officer.credentialActive ? ' (may serve warrants)' : ''}`,
    );
  }
  return { tenantId, bookingNumber, warrantId, officerIds: officers.map((officer) => officer.officerId) };
}

// `npm run example`: run against a server, not when a test imports the module.
if (import.meta.main) {
  const env = process.env;
  main({
    baseUrl: env.WSO_URL ?? 'http://127.0.0.1:3000',
    ...(env.WSO_ADMIN_KEY ? { adminKey: env.WSO_ADMIN_KEY } : {}),
    ...(env.WSO_TENANT_ID ? { tenantId: env.WSO_TENANT_ID } : {}),
    ...(env.WSO_COUNTY_ADMIN_KEY ? { countyAdminKey: env.WSO_COUNTY_ADMIN_KEY } : {}),
    ...(env.WSO_JAIL_KEY ? { jailKey: env.WSO_JAIL_KEY } : {}),
  }).then(
    (result) => console.log(`Done: ${JSON.stringify(result)}`),
    (error: unknown) => {
      console.error(`example failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
