import { systemClock } from '../../shared/clock.ts';
import { dbOnFirstUse } from '../../shared/runtime/db-on-first-use.ts';
import { readEnvironment } from '../../shared/runtime/environment.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { createAuthorizer } from './app.ts';

const env = readEnvironment('authorizer');

/** Lambda entry: the REST API's TOKEN authorizer. It needs only the table. */
export const handler = createAuthorizer({
  db: dbOnFirstUse(env.TABLE_NAME),
  clock: systemClock,
  logger: createLogger('wso-authorizer'),
});
