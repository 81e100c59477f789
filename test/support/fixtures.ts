import { expect } from 'vitest';
import type { ApiClient } from './http.ts';

export const tenantBody = (tenantId: string, state = 'FL', overrides: Record<string, unknown> = {}) => ({
  tenantId,
  countyFips: '12103',
  state,
  name: `${tenantId} County`,
  timeZone: 'America/New_York',
  agreements: { wsoMoaSignedOn: '2019-05-01', igsa: false, boa: true },
  ...overrides,
});

export async function createTenant(api: ApiClient, adminKey: string, tenantId: string, state = 'FL') {
  const response = await api.post(`/v1/tenants`, { key: adminKey, body: tenantBody(tenantId, state) });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

export async function issueKey(
  api: ApiClient,
  issuerKey: string,
  tenantId: string,
  role: string,
  extra: Record<string, unknown> = {},
): Promise<{ keyId: string; apiKey: string }> {
  const response = await api.post<{ keyId: string; apiKey: string }>(`/v1/tenants/${tenantId}/api-keys`, {
    key: issuerKey,
    body: { name: `${role} key`, role, ...extra },
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/** Asserts an RFC 9457 problem with the given status and, optionally, the type's slug. */
export function expectProblem(
  response: { status: number; headers: Headers; body: unknown },
  status: number,
  slug?: string,
) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = response.body as { type: string; title: string; status: number; detail: string };
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  if (slug) expect(body.type).toMatch(new RegExp(`/problems/${slug}$`));
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|stack/i);
}
