import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { AppDeps } from '../../shared/app-deps.ts';
import { VirtualClock } from '../../shared/clock.ts';
import { createApiHandler } from '../../shared/http/api-handler.ts';
import { defineRoute } from '../../shared/http/route.ts';
import { ulidGenerator } from '../../shared/ids.ts';
import { createLogger } from '../../shared/runtime/logger.ts';

const clock = new VirtualClock({ start: new Date('2026-11-24T03:00:00Z') });
// A public route touches no port but the logger and ids.
const deps = {
  clock,
  ids: ulidGenerator(clock),
  logger: createLogger('api-time-limit-test'),
} as unknown as AppDeps;

const slowRoute = (ms: number) =>
  defineRoute({
    operationId: 'slow',
    method: 'GET',
    path: '/v1/slow',
    summary: 'Takes its time',
    tag: 'Platform',
    access: 'public',
    responses: { 200: { description: 'Done' } },
    handle: async () => {
      await new Promise((done) => setTimeout(done, ms));
      return { status: 200, body: { done: true } };
    },
  });

const event = { httpMethod: 'GET', path: '/v1/slow', headers: {}, requestContext: { requestId: 'r-1' } };
const contextWith = (remainingMs: number) => {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => deadline - Date.now() } as unknown as Context;
};

describe('a request that runs out of time', () => {
  it('is answered 503 request-timed-out with Retry-After before the invocation ends, not a 500', async () => {
    const handler = createApiHandler(deps, [slowRoute(2_000)]);
    const started = Date.now();
    const response = await handler(event as unknown as APIGatewayProxyEvent, contextWith(800));
    expect(Date.now() - started).toBeLessThan(800);
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'retry-after': '1',
      'x-request-id': 'r-1',
    });
    expect(JSON.parse(response.body)).toMatchObject({ type: expect.stringMatching(/request-timed-out$/) });
  });

  it('with time to spare, the route answers as usual', async () => {
    const handler = createApiHandler(deps, [slowRoute(50)]);
    const response = await handler(event as unknown as APIGatewayProxyEvent, contextWith(5_000));
    expect(response.statusCode).toBe(200);
  });
});
