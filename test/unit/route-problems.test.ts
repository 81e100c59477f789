import { describe, expect, it } from 'vitest';
import {
  createFacilityRoute,
  credentialOfficerRoute,
  nominateOfficerRoute,
  suspendOfficerRoute,
} from '../../functions/api/routes/county.ts';
import { putBookingRoute } from '../../functions/api/routes/custody.ts';
import { apiRoutes } from '../../functions/api/routes/index.ts';
import { createStateKeyRoute, createTenantKeyRoute } from '../../functions/api/routes/platform.ts';
import { putBookingProblems } from '../../shared/bookings/put-booking.ts';
import { isProblemSlug } from '../../shared/errors/catalogue.ts';
import type { ResponseSpec } from '../../shared/http/route.ts';
import { issueStateKeyProblems, issueTenantKeyProblems } from '../../shared/keys/use-cases.ts';
import { credentialProblems, nominateProblems, suspendProblems } from '../../shared/officers/use-cases.ts';

/**
 * What a route can answer comes from ONE list: the problems its use case declares (or, for a route
 * without a use case of its own, the route's `problems`), never free text. The OpenAPI document
 * lists exactly these per route (test/integration/openapi.test.ts), and the integration tests'
 * client refuses any answered problem a route does not list (test/support/response-contract.ts).
 */
describe('route problem declarations', () => {
  it('every route declares the problems it can answer, each from the catalogue', () => {
    for (const route of apiRoutes) {
      expect(route.problems, route.operationId).toBeDefined();
      for (const entry of route.problems ?? []) {
        const slug = typeof entry === 'string' ? entry : entry[0];
        expect(isProblemSlug(slug), `${route.operationId}: ${slug}`).toBe(true);
      }
    }
  });

  it('no route documents a problem+json answer in free text (only non-JSON pages may)', () => {
    for (const route of apiRoutes) {
      for (const [status, spec] of Object.entries(route.responses as Record<string, ResponseSpec>)) {
        if (Number(status) < 400) continue;
        expect(spec.contentType, `${route.operationId} ${status}: ${spec.description}`).toBeDefined();
        expect(spec.contentType).not.toMatch(/json/);
      }
    }
  });

  it('routes with a use case list exactly the problems the use case declares', () => {
    const pairs = [
      [nominateOfficerRoute, nominateProblems],
      [credentialOfficerRoute, credentialProblems],
      [suspendOfficerRoute, suspendProblems],
      [createTenantKeyRoute, issueTenantKeyProblems],
      [createStateKeyRoute, issueStateKeyProblems],
      [putBookingRoute, putBookingProblems],
    ] as const;
    for (const [route, declared] of pairs) expect(route.problems, route.operationId).toBe(declared.problems);
    expect(createFacilityRoute.problems).toEqual(['facility-exists']);
  });
});
