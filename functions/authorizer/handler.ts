import { systemClock } from '../../shared/clock.ts';
import { createLogger } from '../../shared/runtime/logger.ts';
import { createDb } from '../../shared/store/db.ts';
import { createAuthorizer } from './app.ts';

const tableName = process.env.TABLE_NAME;
if (!tableName) throw new Error('environment variable TABLE_NAME is required');

/** Lambda entry: the REST API's TOKEN authorizer. It needs only the table. */
export const handler = createAuthorizer({
  db: createDb({ tableName }),
  clock: systemClock,
  logger: createLogger('wso-authorizer'),
});
