import { depsFromEnvironment } from '../../shared/runtime/aws-deps.ts';
import { createHoldTimerHandler } from './app.ts';

/** Lambda entry: invoked (asynchronously) by EventBridge Scheduler with a hold's timer payload. */
export const handler = createHoldTimerHandler(depsFromEnvironment('wso-hold-timer'));
