import * as z from 'zod';
import { problems } from '../../../shared/http/problem.ts';
import { defineRoute } from '../../../shared/http/route.ts';
import { renderHoldBoard } from '../../../shared/reports/hold-board-page.ts';
import { PAGE_HEADERS } from '../../../shared/reports/html.ts';
import { tenantId } from '../../../shared/schemas/common.ts';
import { listBoard } from '../../../shared/store/hold-board.ts';
import { getTenant } from '../../../shared/store/tenants.ts';

export const holdBoardRoute = defineRoute({
  operationId: 'getHoldBoard',
  method: 'GET',
  path: '/v1/tenants/{tenantId}/hold-board',
  summary: 'The county\u2019s open holds with the time left to each deadline, as an HTML page (no names)',
  tag: 'Oversight',
  access: ['county-admin', 'jail-system', 'ice-liaison'],
  // People open it in a browser: a signed-in session lets them in (issue 18).
  page: true,
  params: z.strictObject({ tenantId }),
  responses: { 200: { description: 'An HTML page', contentType: 'text/html' } },
  problems: [],
  handle: async ({ params }, { deps }) => {
    const [tenant, entries] = await Promise.all([
      getTenant(deps.db, params.tenantId),
      listBoard(deps.db, params.tenantId),
    ]);
    if (!tenant) throw problems.notFound('The tenant');
    return {
      status: 200,
      body: renderHoldBoard({
        tenantId: tenant.tenantId,
        countyName: tenant.name,
        timeZone: tenant.timeZone,
        entries,
        now: deps.clock.now(),
      }),
      contentType: 'text/html; charset=utf-8',
      headers: PAGE_HEADERS,
    };
  },
});

export const holdBoardRoutes = [holdBoardRoute];
