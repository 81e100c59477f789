import type { AnyRoute } from '../../../shared/http/route.ts';
import { countyRoutes } from './county.ts';
import { custodyRoutes } from './custody.ts';
import { holdRoutes } from './holds.ts';
import { openApiRoutes } from './openapi.ts';
import { platformRoutes } from './platform.ts';

/** The route table: dispatch, authorization, OpenAPI and the security matrix all read it. */
export const apiRoutes: readonly AnyRoute[] = [
  ...platformRoutes,
  ...holdRoutes,
  ...countyRoutes,
  ...custodyRoutes,
  ...openApiRoutes,
];
