import type { AppDeps } from '../../shared/app-deps.ts';
import { type ApiHandler, createApiHandler } from '../../shared/http/api-handler.ts';
import { apiRoutes } from './routes/index.ts';

/** The API function's handler for given adapters: used by the Lambda entry, the local runtime and tests. */
export const createApi = (deps: AppDeps): ApiHandler => createApiHandler(deps, apiRoutes);
