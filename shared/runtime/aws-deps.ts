import type { AppDeps } from '../app-deps.ts';
import { systemClock } from '../clock.ts';
import { ulidGenerator } from '../ids.ts';
import { dbOnFirstUse } from './db-on-first-use.ts';
import { createLogger } from './logger.ts';

/** The adapters a function's deps start from. */
export type FunctionBaseDeps = Pick<AppDeps, 'db' | 'clock' | 'ids' | 'logger' | 'config'>;

/**
 * What every Lambda function has in AWS: the table named by its stack (client made on first use),
 * the real clock, ids, logs and config. Each entry (functions/<name>/handler.ts) adds only the
 * ports it uses, from shared/runtime/aws-adapters.ts, with settings from its own environment
 * definition (shared/runtime/environment.ts).
 */
export function functionBaseDeps(
  env: { readonly TABLE_NAME: string; readonly STAGE?: string | undefined },
  serviceName: string,
): FunctionBaseDeps {
  return {
    db: dbOnFirstUse(env.TABLE_NAME),
    clock: systemClock,
    ids: ulidGenerator(systemClock),
    logger: createLogger(serviceName),
    config: { stage: env.STAGE ?? 'dev', local: false },
  };
}
