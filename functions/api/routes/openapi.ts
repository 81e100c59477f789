import * as z from 'zod';
import type { AnyRoute } from '../../../shared/http/route.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { buildOpenApiDocument, type OpenApiDocument } from '../../../shared/openapi/document.ts';

export const API_INFO = {
  title: 'WSO Custody Platform API',
  version: '1.0.0',
  description:
    'Custody deadlines for ICE\u2019s Warrant Service Officer program: county set-up, bookings, warrants and holds. ' +
    'Errors are RFC 9457 application/problem+json; the `type` names the rule broken.',
};

let cached: OpenApiDocument | undefined;

/**
 * The document covers the whole route table, this route included. The table is imported lazily:
 * index.ts imports this module, so a static import back would be a cycle.
 */
export async function openApiDocument(): Promise<OpenApiDocument> {
  if (!cached) {
    const { apiRoutes }: { apiRoutes: readonly AnyRoute[] } = await import('./index.ts');
    cached = buildOpenApiDocument(apiRoutes, API_INFO);
  }
  return cached;
}

export const openApiRoute = defineRoute({
  operationId: 'getOpenApiDocument',
  method: 'GET',
  path: '/v1/openapi.json',
  summary: 'This API\u2019s OpenAPI 3.1 document',
  tag: 'Platform',
  access: 'public',
  responses: {
    200: {
      description: 'The OpenAPI 3.1 document',
      schema: z.record(z.string(), z.unknown()).meta({ description: 'An OpenAPI 3.1 document' }),
    },
  },
  problems: [],
  handle: async () => ({ status: 200, body: await openApiDocument() }),
});

export const openApiRoutes = [openApiRoute];
