import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../functions/api/routes/index.ts';
import type { Role } from '../../shared/auth/principal.ts';
import { PROBLEM_BASE } from '../../shared/http/problem.ts';
import {
  type OpenApiDoc,
  type Operation,
  operationsOf,
  routeKey,
  sample,
  sampleBody,
} from '../security/support/openapi.ts';
import {
  buildWorld,
  scanTable,
  send,
  startReceiver,
  tableDiff,
  type World,
} from '../security/support/world.ts';
import { useRuntime } from '../support/runtime.ts';
import { type HostileRequest, hostileRequests, type Target } from './support/hostile.ts';

/**
 * Hostile input (DESIGN.md §8: "malformed, oversized and unknown-field bodies get 400 problem+json and
 * write nothing"), property-based: for every write route of the table, called with a key allowed to
 * call it on its own tenant, random and crafted broken requests (random JSON, malformed JSON,
 * > 64 KiB, wrong types, unknown and missing fields, injection strings, odd Unicode and NUL, absurd
 * or impossible times, NaN/Infinity/1e308, wrong media types, bad path parameters, query strings and
 * Idempotency-Keys) always get a 4xx application/problem+json answer in bounded time, and the whole
 * table (idempotency records included) is exactly as before.
 *
 * Reproduce a failure with the seed and path fast-check prints: HOSTILE_SEED=<seed> (and the same
 * HOSTILE_RUNS) re-runs the same requests.
 */

const SEED = Number(process.env.HOSTILE_SEED ?? 20_261_124);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 25);
const TENANT = 'hostile-home';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const writeRoutes = apiRoutes.filter((route) => WRITE_METHODS.has(route.method));

const runtime = useRuntime();
let doc: OpenApiDoc;
let operations: Map<string, Operation>;
let world: World;
let keys: Record<Role, string>;
let closeReceiver: () => Promise<void>;
let idempotencyCounter = 0;

beforeAll(async () => {
  const rt = runtime();
  const receiver = await startReceiver();
  closeReceiver = receiver.close;
  world = await buildWorld(rt, TENANT, receiver.url);
  const stateKey = await send(rt.url, {
    method: 'POST',
    path: '/v1/states/FL/api-keys',
    key: rt.adminKey,
    body: { name: 'FL auditor' },
  });
  expect(stateKey.status, stateKey.text).toBe(201);
  const { county } = world;
  keys = {
    'platform-admin': rt.adminKey,
    'county-admin': county.admin,
    'jail-system': county.jail,
    'wso-officer': county.officerKey,
    'ice-liaison': county.liaison,
    'state-oversight': (stateKey.body as { apiKey: string }).apiKey,
  };
  // Every key's last-used time is recorded now, so the properties' scans see no write of it.
  for (const key of Object.values(keys)) {
    await send(rt.url, { method: 'GET', path: `/v1/tenants/${TENANT}/holds`, key });
  }
  const served = await send(rt.url, { method: 'GET', path: '/v1/openapi.json' });
  expect(served.status).toBe(200);
  doc = served.body as OpenApiDoc;
  operations = new Map(operationsOf(doc).map((op) => [routeKey(op), op]));
  console.info(
    `hostile input: seed ${SEED}, one example of each kind then ${RUNS} random requests per route, ` +
      `${writeRoutes.length} write routes ` +
      '(HOSTILE_SEED and HOSTILE_RUNS to change)',
  );
}, 120_000);

afterAll(async () => {
  await closeReceiver?.();
});

/** A key allowed to call the operation on its own scope: a tenant role first, as a county would. */
function keyFor(op: Operation): string {
  if (op.access === 'public') return '';
  const names = op.pathParams.map((param) => param.name);
  const roles = op.access as Role[];
  const preferred = names.includes('tenantId')
    ? roles.find((role) => role !== 'platform-admin' && role !== 'state-oversight')
    : names.includes('state')
      ? roles.find((role) => role === 'state-oversight')
      : undefined;
  const role = preferred ?? roles[0];
  if (!role) throw new Error(`${op.operationId}: no role may call it`);
  return keys[role];
}

function targetFor(op: Operation, maxBodyBytes: number | undefined): Target {
  const pathValues: Record<string, string> = {};
  for (const param of op.pathParams) {
    if (param.name === 'tenantId') pathValues[param.name] = TENANT;
    else if (param.name === 'state') pathValues[param.name] = 'FL';
    else pathValues[param.name] = world.ids[param.name] ?? String(sample(doc, param.schema));
  }
  return {
    doc,
    op,
    pathValues,
    base: op.body ? sampleBody(doc, op.body, world.hint) : undefined,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
  };
}

/**
 * A batch answers a broken item in the item's own slot (200, each result a 4xx problem, issue 17);
 * only a broken envelope is refused as a whole.
 */
const PER_ITEM_ROUTES = new Set(['putBookingBatch']);

function judgeItems(text: string): string[] {
  try {
    const results = (
      JSON.parse(text) as { results?: { status?: unknown; problem?: Record<string, unknown> }[] }
    ).results;
    if (!Array.isArray(results) || results.length === 0) return ['a batch answer without results'];
    return results.flatMap((result, index) => {
      const status = Number(result.status);
      const problem = result.problem;
      if (status < 400 || status >= 500)
        return [`item ${index}: status ${String(result.status)} (expected 4xx)`];
      if (
        problem?.status !== status ||
        typeof problem.type !== 'string' ||
        !problem.type.startsWith(PROBLEM_BASE)
      )
        return [`item ${index}: no problem document of its own`];
      return [];
    });
  } catch {
    return ['the body is not JSON'];
  }
}

/** What is wrong with the answer to a hostile request (nothing when it is a proper refusal). */
function judge(
  request: HostileRequest,
  status: number,
  contentType: string | null,
  text: string,
  perItem = false,
): string[] {
  if (perItem && status === 200 && request.status === undefined) return judgeItems(text);
  const wrong: string[] = [];
  if (status < 400 || status >= 500) wrong.push(`status ${status} (expected 4xx)`);
  if (request.status !== undefined && status !== request.status)
    wrong.push(`status ${status}, not ${request.status}`);
  if (contentType !== 'application/problem+json') wrong.push(`content-type ${contentType}`);
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    if (body.status !== status) wrong.push(`problem status ${String(body.status)}`);
    if (typeof body.type !== 'string' || !body.type.startsWith(PROBLEM_BASE)) wrong.push('problem type');
    if (typeof body.title !== 'string' || typeof body.detail !== 'string') wrong.push('problem title/detail');
  } catch {
    wrong.push('the body is not JSON');
  }
  if (/\bat .*\.ts:\d+|"stack"/.test(text)) wrong.push('a stack trace in the answer');
  return wrong;
}

describe('hostile input on every write route: always a 4xx problem, never a write', () => {
  it('covers every write route of the table, as documented', () => {
    expect(writeRoutes.length).toBeGreaterThan(0);
    const undocumented = writeRoutes.filter((route) => !operations.has(routeKey(route))).map(routeKey);
    expect(undocumented).toEqual([]);
  });

  for (const [index, route] of writeRoutes.entries()) {
    it(`${route.method} ${route.path} (${route.operationId})`, async () => {
      const rt = runtime();
      const op = operations.get(routeKey(route));
      if (!op) throw new Error(`${routeKey(route)} is not in /v1/openapi.json`);
      const target = targetFor(op, route.maxBodyBytes);
      // The base body passes validation, so each mutation is the only thing wrong with a request.
      if (route.body && !route.bodyFormats) {
        const parsed = route.body.safeParse(target.base);
        expect(
          parsed.success,
          `${route.operationId}: the derived base body ${JSON.stringify(target.base)} is invalid ` +
            `(${parsed.error?.message}); add a hint for it in test/security/support/world.ts`,
        ).toBe(true);
      }
      const key = keyFor(op);
      let baseline = await scanTable(rt);
      const seed = SEED + index;
      const { arbitrary, examples } = hostileRequests(target, seed);
      await fc.assert(
        fc.asyncProperty(arbitrary, async (request) => {
          const headers = { ...request.headers };
          if (op.idempotent && headers['idempotency-key'] === undefined) {
            idempotencyCounter += 1;
            headers['idempotency-key'] = `hostile-${seed}-${idempotencyCounter}`;
          }
          const started = performance.now();
          const response = await send(rt.url, {
            method: op.method,
            path: request.path,
            key,
            headers,
            ...(request.body !== undefined ? { rawBody: request.body } : {}),
          });
          const wrong = judge(
            request,
            response.status,
            response.headers.get('content-type'),
            response.text,
            PER_ITEM_ROUTES.has(route.operationId),
          );
          const after = await scanTable(rt);
          const written = tableDiff(baseline, after);
          if (written.length > 0) {
            baseline = after; // judge the next (shrunk) request on its own writes only
            wrong.push(`it wrote: ${written.join('; ')}`);
          }
          if (wrong.length > 0) {
            throw new Error(
              `${op.operationId} answered ${response.status} in ${Math.round(performance.now() - started)} ms: ` +
                `${wrong.join(', ')}\n  answer: ${response.text.slice(0, 400)}`,
            );
          }
        }),
        // The examples (one of each kind) run first, then RUNS random requests.
        {
          seed,
          numRuns: examples.length + RUNS, // examples count as runs
          endOnFailure: true,
          examples: examples.map((example) => [example]),
        },
      );
    });
  }
});
