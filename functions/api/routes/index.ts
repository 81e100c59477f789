import type { AnyRoute } from '../../../shared/http/route.ts';
import { platformRoutes } from './platform.ts';

/** The route table: dispatch, authorization, OpenAPI and the security matrix all read it. */
export const apiRoutes: readonly AnyRoute[] = [...platformRoutes];
