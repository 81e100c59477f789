/**
 * AWS prices (us-east-1, on-demand, USD) and the cost arithmetic of the benchmark: pure, unit-tested.
 * Each price names where it was read; re-check them before relying on the figures.
 */

export interface Price {
  /** USD per one unit. */
  usd: number;
  unit: string;
  source: string;
}

/** The date the prices below were looked up. */
export const PRICES_CHECKED_ON = '2026-11-25';

/** DynamoDB on-demand write request unit (a transactional write of ≤1 KB is 2 WRU). */
export const DYNAMODB_WRU: Price = {
  usd: 0.625 / 1_000_000,
  unit: 'write request unit',
  source:
    'https://aws.amazon.com/dynamodb/pricing/on-demand/ (US East, N. Virginia: $0.625 per million WRU since the ' +
    'November 2024 on-demand price cut; also the AWS Price List offer for AmazonDynamoDB us-east-1)',
};

/** DynamoDB on-demand read request unit (a strongly consistent read of ≤4 KB is 1 RRU). */
export const DYNAMODB_RRU: Price = {
  usd: 0.125 / 1_000_000,
  unit: 'read request unit',
  source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ (US East, N. Virginia: $0.125 per million RRU)',
};

/**
 * EventBridge Scheduler bills scheduled invocations only: $1.00 per million after 14 million free a
 * month. API calls (CreateSchedule, DeleteSchedule, …) are not billed.
 */
export const SCHEDULER_INVOCATION: Price = {
  usd: 1 / 1_000_000,
  unit: 'scheduled invocation',
  source:
    'https://aws.amazon.com/eventbridge/pricing/ (Scheduler: $1.00 per million invocations after 14 million ' +
    'free per month; AWS Price List AWSEvents "ScheduledInvocation" SKUs, effective 2024-10-01; creating and ' +
    'deleting schedules is not charged)',
};

export const SCHEDULER_API_CALL: Price = {
  usd: 0,
  unit: 'Scheduler API call (CreateSchedule, DeleteSchedule)',
  source: 'https://aws.amazon.com/eventbridge/pricing/ (only scheduled invocations are billed)',
};

/** Lambda requests (duration not included: it depends on memory size and is not measured here). */
export const LAMBDA_REQUEST: Price = {
  usd: 0.2 / 1_000_000,
  unit: 'Lambda request',
  source:
    'https://aws.amazon.com/lambda/pricing/ ($0.20 per million requests after 1 million free; also ' +
    'https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html)',
};

/** What one unit of work consumes (per operation, or per hold). */
export interface Usage {
  writeUnits: number;
  readUnits: number;
  schedulerInvocations: number;
  schedulerApiCalls: number;
  lambdaRequests: number;
}

export const emptyUsage = (): Usage => ({
  writeUnits: 0,
  readUnits: 0,
  schedulerInvocations: 0,
  schedulerApiCalls: 0,
  lambdaRequests: 0,
});

export const addUsage = (a: Usage, b: Usage): Usage => ({
  writeUnits: a.writeUnits + b.writeUnits,
  readUnits: a.readUnits + b.readUnits,
  schedulerInvocations: a.schedulerInvocations + b.schedulerInvocations,
  schedulerApiCalls: a.schedulerApiCalls + b.schedulerApiCalls,
  lambdaRequests: a.lambdaRequests + b.lambdaRequests,
});

export interface CostLine {
  item: string;
  quantity: number;
  price: Price;
  usd: number;
}

/** The cost of `count` units of work that each consume `usage`, line by line (free tiers ignored). */
export function costOf(usage: Usage, count: number): CostLine[] {
  const line = (item: string, perUnit: number, price: Price): CostLine => ({
    item,
    quantity: perUnit * count,
    price,
    usd: perUnit * count * price.usd,
  });
  return [
    line('DynamoDB write request units', usage.writeUnits, DYNAMODB_WRU),
    line('DynamoDB read request units', usage.readUnits, DYNAMODB_RRU),
    line('Scheduler invocations', usage.schedulerInvocations, SCHEDULER_INVOCATION),
    line('Scheduler API calls', usage.schedulerApiCalls, SCHEDULER_API_CALL),
    line('Lambda requests', usage.lambdaRequests, LAMBDA_REQUEST),
  ];
}

export const totalUsd = (lines: readonly CostLine[]): number => lines.reduce((sum, l) => sum + l.usd, 0);
