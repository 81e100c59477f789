import { depsFromEnvironment } from '../../shared/runtime/aws-deps.ts';
import { createApi } from './app.ts';

/** Lambda entry: API Gateway REST proxy events for every /v1 route. */
export const handler = createApi(depsFromEnvironment('wso-api'));
