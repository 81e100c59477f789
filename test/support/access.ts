import { expect } from 'vitest';
import type { County } from './custody.ts';
import { expectProblem } from './fixtures.ts';
import type { ApiResponse } from './http.ts';

export const CALLER_ROLES = [
  'platform-admin',
  'county-admin',
  'jail-system',
  'ice-liaison',
  'wso-officer',
] as const;
export type CallerRole = (typeof CALLER_ROLES)[number];

/** Every kind of key that can call a tenant route of this county. */
export const keysOf = (county: County, platformAdminKey: string): Record<CallerRole, string> => ({
  'platform-admin': platformAdminKey,
  'county-admin': county.admin,
  'jail-system': county.jail,
  'ice-liaison': county.liaison,
  'wso-officer': county.officerKey,
});

/**
 * Calls an operation once with each role's key: the allowed roles get past authorization, every
 * other role gets 403. `call` receives the role so creating calls can vary their ids.
 */
export async function expectRoles(
  keys: Record<CallerRole, string>,
  allowed: readonly CallerRole[],
  call: (key: string, role: CallerRole) => Promise<ApiResponse<unknown>>,
): Promise<void> {
  for (const role of CALLER_ROLES) {
    const response = await call(keys[role], role);
    if (allowed.includes(role)) {
      expect([401, 403, 404], `${role} should be allowed: ${response.text}`).not.toContain(response.status);
      expect(response.status, `${role}: ${response.text}`).toBeLessThan(300);
    } else {
      expectProblem(response, 403, 'forbidden');
    }
  }
}
