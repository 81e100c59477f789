import { depsFromEnvironment } from '../../shared/runtime/aws-deps.ts';
import { createStreamHandler } from './app.ts';
import { streamConsumers } from './consumers.ts';

/** Lambda entry: the table's DynamoDB stream (event source mapping with ReportBatchItemFailures). */
export const handler = createStreamHandler(depsFromEnvironment('wso-stream'), streamConsumers);
