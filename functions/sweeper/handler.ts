import { depsFromEnvironment } from '../../shared/runtime/aws-deps.ts';
import { createSweeper } from './app.ts';

/** Lambda entry: run every minute by a recurring schedule. */
export const handler = createSweeper(depsFromEnvironment('wso-sweeper'));
