import type { AnyRoute } from '../../../shared/http/route.ts';
import { auditRoutes } from './audit.ts';
import { bookingBatchRoutes } from './booking-batch.ts';
import { countyRoutes } from './county.ts';
import { custodyRoutes } from './custody.ts';
import { holdBoardRoutes } from './hold-board.ts';
import { holdRoutes } from './holds.ts';
import { lifecycleRoutes } from './lifecycle.ts';
import { niemRoutes } from './niem.ts';
import { openApiRoutes } from './openapi.ts';
import { oversightRoutes } from './oversight.ts';
import { peopleRoutes } from './people.ts';
import { platformRoutes } from './platform.ts';
import { signInRoutes } from './sign-in.ts';
import { webhookRoutes } from './webhooks.ts';

/** The route table: dispatch, authorization, OpenAPI and the security matrix all read it. */
export const apiRoutes: readonly AnyRoute[] = [
  ...platformRoutes,
  ...holdRoutes,
  ...countyRoutes,
  ...custodyRoutes,
  ...bookingBatchRoutes,
  ...webhookRoutes,
  ...auditRoutes,
  ...openApiRoutes,
  ...oversightRoutes,
  ...holdBoardRoutes,
  ...niemRoutes,
  ...lifecycleRoutes,
  ...peopleRoutes,
  ...signInRoutes,
];
