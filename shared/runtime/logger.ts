import { Logger } from '@aws-lambda-powertools/logger';

/** Structured JSON logs (Powertools). Level from POWERTOOLS_LOG_LEVEL / LOG_LEVEL; tests set SILENT. */
export const createLogger = (serviceName: string): Logger =>
  new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName });
