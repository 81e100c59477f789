import { expect } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.ts';
import type { Hold } from '../../shared/domain/hold.ts';
import { issueKey, tenantBody } from './fixtures.ts';
import { ApiClient } from './http.ts';

export interface County {
  tenantId: string;
  admin: string;
  jail: string;
  liaison: string;
  officerKey: string;
  officerId: string;
  facilityId: string;
  api: ApiClient;
}

/** A state-oversight key for `state`, issued by the platform admin through the API. */
export async function stateAuditorKey(
  runtime: Pick<LocalRuntime, 'url' | 'adminKey'>,
  state: string,
): Promise<string> {
  const response = await new ApiClient(runtime.url).post<{ apiKey: string }>(`/v1/states/${state}/api-keys`, {
    key: runtime.adminKey,
    body: { name: `${state} auditor` },
  });
  expect(response.status, response.text).toBe(201);
  return response.body.apiKey;
}

/** A county with a facility, a credentialed officer and keys for every tenant role, set up through the API. */
export async function onboardCounty(
  runtime: Pick<LocalRuntime, 'url' | 'adminKey'>,
  tenantId: string,
  options: { igsa?: boolean; releaseLeadMinutes?: number } = {},
): Promise<County> {
  const api = new ApiClient(runtime.url);
  const created = await api.post('/v1/tenants', {
    key: runtime.adminKey,
    body: tenantBody(tenantId, 'FL', {
      agreements: { wsoMoaSignedOn: '2019-05-01', igsa: options.igsa ?? false, boa: false },
      ...(options.releaseLeadMinutes !== undefined ? { releaseLeadMinutes: options.releaseLeadMinutes } : {}),
    }),
  });
  expect(created.status, created.text).toBe(201);
  const admin = (await issueKey(api, runtime.adminKey, tenantId, 'county-admin')).apiKey;
  const jail = (await issueKey(api, admin, tenantId, 'jail-system')).apiKey;
  const liaison = (await issueKey(api, admin, tenantId, 'ice-liaison')).apiKey;
  const facilityId = 'main-jail';
  const officerId = 'off-1';
  await expectStatus(
    api.post(`/v1/tenants/${tenantId}/facilities`, { key: admin, body: { facilityId, name: 'Main Jail' } }),
    201,
  );
  await expectStatus(
    api.post(`/v1/tenants/${tenantId}/officers`, {
      key: admin,
      body: { officerId, name: 'Dana Reyes', badgeNumber: 'B-100', facilityIds: [facilityId] },
    }),
    201,
  );
  await expectStatus(
    api.post(`/v1/tenants/${tenantId}/officers/${officerId}/credential`, {
      key: liaison,
      body: {
        backgroundCheckPassedOn: '2026-01-05',
        trainedOn: '2026-01-10',
        credentialNumber: 'WSO-0001',
        expiresOn: '2028-01-10',
      },
    }),
    200,
  );
  const officerKey = (await issueKey(api, admin, tenantId, 'wso-officer', { officerId })).apiKey;
  return { tenantId, admin, jail, liaison, officerKey, officerId, facilityId, api };
}

async function expectStatus(pending: Promise<{ status: number; text: string }>, status: number) {
  const response = await pending;
  expect(response.status, response.text).toBe(status);
}

let counter = 0;

/** Books a person and records a warrant for them; returns the numbers to serve. */
export async function bookWithWarrant(
  county: County,
  bookedAt: string,
): Promise<{ bookingNumber: string; warrantId: string }> {
  counter += 1;
  const bookingNumber = `BK-${counter}`;
  const warrantId = `W-${counter}`;
  await expectStatus(
    county.api.put(`/v1/tenants/${county.tenantId}/bookings/${bookingNumber}`, {
      key: county.jail,
      body: {
        facilityId: county.facilityId,
        bookedAt,
        person: { firstName: 'Alex', lastName: `Doe${counter}`, dateOfBirth: '1990-04-01' },
      },
    }),
    201,
  );
  await expectStatus(
    county.api.post(`/v1/tenants/${county.tenantId}/warrants`, {
      key: county.liaison,
      body: {
        warrantId,
        form: 'I-200',
        issuedAt: bookedAt,
        issuingOfficer: 'SDDO Smith',
        fieldOffice: 'Miami',
        bookingNumber,
      },
    }),
    201,
  );
  return { bookingNumber, warrantId };
}

export async function serveHold(
  county: County,
  servedAt: string,
  extra: Record<string, unknown> = {},
): Promise<Hold> {
  const { bookingNumber, warrantId } = await bookWithWarrant(county, servedAt);
  const response = await county.api.post<Hold>(`/v1/tenants/${county.tenantId}/holds`, {
    key: county.officerKey,
    body: { warrantId, bookingNumber, officerId: county.officerId, servedAt, ...extra },
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

export async function readHold(county: County, holdId: string): Promise<Hold> {
  const response = await county.api.get<Hold>(`/v1/tenants/${county.tenantId}/holds/${holdId}`, {
    key: county.admin,
  });
  expect(response.status, response.text).toBe(200);
  return response.body;
}

/** Names of the hold's live schedules in the local Scheduler. */
export const schedulesOf = (runtime: LocalRuntime, holdId: string): string[] =>
  runtime.timers.scheduler
    .list()
    .map((schedule) => schedule.Name)
    .filter((name) => name.startsWith(holdId));
