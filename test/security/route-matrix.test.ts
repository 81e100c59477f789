import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes } from '../../functions/api/routes/index.ts';
import { ROLES, type Role } from '../../shared/auth/principal.ts';
import { tenantPk } from '../../shared/store/keys.ts';
import { createTenant, issueKey } from '../support/fixtures.ts';
import { ApiClient } from '../support/http.ts';
import { useRuntime } from '../support/runtime.ts';
import {
  crossCheck,
  fillPath,
  type Hint,
  type OpenApiDoc,
  type Operation,
  operationsOf,
  routeKey,
  sample,
  sampleBody,
} from './support/openapi.ts';
import {
  buildWorld,
  canonical,
  partition,
  type Request,
  type Response,
  scanTable,
  send,
  startReceiver,
  tableDiff,
  type World,
} from './support/world.ts';

/**
 * The security matrix (DESIGN.md §8: "every endpoint: cross-tenant and wrong-role attempts denied").
 * Generated from the OpenAPI document the running runtime serves and cross-checked against the route
 * table, so a new route is in the matrix the moment it is in `apiRoutes`. For every operation:
 * every role on its own scope and on a foreign one, plus missing, unknown, revoked and malformed keys.
 *
 * The expected answer is the contract's rule (API.md), restated here, not read from the product:
 * a key whose tenant/state is not the one in the path gets 404 (platform-admin crosses all; a
 * county key on a state path is a wrong role, 403), then a role not in `x-roles` gets 403, and an allowed role gets past authorization (any answer but
 * 401/403, and no 404 that is the scope's).
 */

const runtime = useRuntime();

type Scope = { kind: 'platform' } | { kind: 'tenant'; tenantId: string } | { kind: 'state'; state: string };
interface Caller {
  role: Role;
  key: string;
  scope: Scope;
}
interface Target {
  name: 'own' | 'foreign' | 'ghost' | 'missing';
  tenantId: string;
  state: string;
  /** The state the tenant itself belongs to (undefined: no such tenant); state-oversight reaches it on audit routes. */
  tenantState: string | undefined;
  /** Real ids (or, for `missing`, ids that name nothing). */
  ids: Record<string, string>;
  hint: Hint;
  fresh: World['fresh'];
}
type Expectation = 'pass' | 401 | 403 | 404;
interface Case {
  operationId: string;
  caller: string;
  target: Target['name'];
  expected: Expectation;
  status: number;
}

const HOME = 'sec-home';
const VICTIM = 'sec-victim';
const VICTIM_STATE_TENANT = 'sec-victim-ga';
const GHOST = 'sec-ghost-never-created';

let doc: OpenApiDoc;
let operations: Operation[];
let callers: Caller[];
let home: Target;
let victim: Target;
let ghost: Target;
let missing: Target;
let anonymous: { label: string; authorization?: string }[];
/** The body of the scope 404 (a tenant or state the key does not belong to), minus `instance`. */
let scopeNotFound: Record<string, unknown>;
let closeReceiver: () => Promise<void>;
const cases: Case[] = [];
let idempotencyCounter = 0;

beforeAll(async () => {
  const rt = runtime();
  const receiver = await startReceiver();
  closeReceiver = receiver.close;
  const homeWorld = await buildWorld(rt, HOME, receiver.url);
  const victimWorld = await buildWorld(rt, VICTIM, receiver.url);
  const api = new ApiClient(rt.url);
  // The foreign state has a county too, so "exists but foreign" is real for state paths.
  await createTenant(api, rt.adminKey, VICTIM_STATE_TENANT, 'GA');
  const stateKey = await api.post<{ apiKey: string }>('/v1/states/FL/api-keys', {
    key: rt.adminKey,
    body: { name: 'FL auditor' },
  });
  expect(stateKey.status, stateKey.text).toBe(201);
  const revoked = await issueKey(api, homeWorld.county.admin, HOME, 'county-admin');
  expect(
    (await api.delete(`/v1/tenants/${HOME}/api-keys/${revoked.keyId}`, { key: rt.adminKey })).status,
  ).toBe(204);

  const c = homeWorld.county;
  callers = [
    { role: 'platform-admin', key: rt.adminKey, scope: { kind: 'platform' } },
    { role: 'county-admin', key: c.admin, scope: { kind: 'tenant', tenantId: HOME } },
    { role: 'jail-system', key: c.jail, scope: { kind: 'tenant', tenantId: HOME } },
    { role: 'wso-officer', key: c.officerKey, scope: { kind: 'tenant', tenantId: HOME } },
    { role: 'ice-liaison', key: c.liaison, scope: { kind: 'tenant', tenantId: HOME } },
    { role: 'state-oversight', key: stateKey.body.apiKey, scope: { kind: 'state', state: 'FL' } },
  ];
  expect(callers.map((caller) => caller.role).sort()).toEqual([...ROLES].sort());
  anonymous = [
    { label: 'no key' },
    { label: 'unknown key', authorization: `Bearer wso_${'x'.repeat(40)}` },
    { label: 'revoked key', authorization: `Bearer ${revoked.apiKey}` },
    { label: 'malformed header', authorization: `Basic ${Buffer.from(`${c.admin}:`).toString('base64')}` },
  ];

  home = { name: 'own', tenantId: HOME, state: 'FL', tenantState: 'FL', ...pick(homeWorld) };
  // The victim county is in FL too (onboardCounty); its state path target is GA.
  victim = { name: 'foreign', tenantId: VICTIM, state: 'GA', tenantState: 'FL', ...pick(victimWorld) };
  ghost = { ...victim, name: 'ghost', tenantId: GHOST, state: 'WY', tenantState: undefined };

  const served = await send(rt.url, { method: 'GET', path: '/v1/openapi.json' });
  expect(served.status).toBe(200);
  doc = served.body as OpenApiDoc;
  operations = operationsOf(doc);
  const nowhere: Record<string, string> = {};
  for (const op of operations) {
    for (const param of op.pathParams) nowhere[param.name] ??= String(sample(doc, param.schema));
  }
  missing = { ...victim, name: 'missing', ids: nowhere };

  // The scope 404, learnt from keys of another scope than the path (a state key on a tenant path and
  // on another state's path): the two must agree, and every foreign answer must equal them.
  const probes = [
    await send(rt.url, { method: 'GET', path: `/v1/tenants/${GHOST}`, key: stateKey.body.apiKey }),
    await send(rt.url, { method: 'GET', path: '/v1/oversight/states/WY/report', key: stateKey.body.apiKey }),
  ];
  // A county key on a state path is a wrong role (API.md: 403), not a hidden scope.
  const countyOnState = await send(rt.url, {
    method: 'GET',
    path: '/v1/oversight/states/WY/report',
    key: c.admin,
  });
  expectProblem(countyOnState, 403, 'forbidden', '/v1/oversight/states/WY/report');
  expectProblem(probes[0] as Response, 404, 'not-found', `/v1/tenants/${GHOST}`);
  expect(withoutInstance(probes[1]?.body)).toEqual(withoutInstance(probes[0]?.body));
  scopeNotFound = withoutInstance(probes[0]?.body);
}, 120_000);

afterAll(async () => {
  await closeReceiver?.();
});

const pick = (world: World) => ({ ids: world.ids, hint: world.hint, fresh: world.fresh });

/** The contract's rule, stated independently of api-handler.ts. */
function expectationFor(op: Operation, caller: Caller, target: Target): Expectation {
  if (op.access === 'public') return 'pass';
  const names = op.pathParams.map((param) => param.name);
  const { scope } = caller;
  if (scope.kind !== 'platform') {
    // API.md: state-oversight reaches the counties of its state where a route allows it (audit).
    const stateReach =
      scope.kind === 'state' && op.access.includes('state-oversight') && scope.state === target.tenantState;
    if (
      names.includes('tenantId') &&
      !stateReach &&
      !(scope.kind === 'tenant' && scope.tenantId === target.tenantId)
    ) {
      return 404;
    }
    // A county key on a state route: no tenant in the path to hide, so its wrong role is a 403.
    if (names.includes('state') && scope.kind === 'tenant') return 403;
    if (names.includes('state') && !(scope.kind === 'state' && scope.state === target.state)) return 404;
  }
  return op.access.includes(caller.role) ? 'pass' : 403;
}

const isScoped = (op: Operation) => op.pathParams.some((p) => p.name === 'tenantId' || p.name === 'state');

/** The request an operation gets: real ids of the target, a body derived from the documented schema. */
async function requestFor(
  op: Operation,
  target: Target,
  options: { fresh: boolean },
): Promise<Request & { synthetic: boolean }> {
  const values: Record<string, string> = {};
  let synthetic = target.name === 'missing';
  for (const param of op.pathParams) {
    const freshOne = options.fresh ? target.fresh[param.name] : undefined;
    if (param.name === 'tenantId') values[param.name] = target.tenantId;
    else if (param.name === 'state') values[param.name] = target.state;
    else if (freshOne) values[param.name] = await freshOne();
    else if (target.ids[param.name] !== undefined) values[param.name] = target.ids[param.name] as string;
    else {
      values[param.name] = String(sample(doc, param.schema));
      synthetic = true;
    }
  }
  const query = new URLSearchParams();
  for (const param of op.queryParams) {
    if (param.required) query.set(param.name, String(sample(doc, param.schema, target.hint, param.name)));
  }
  const path = fillPath(op.path, values) + (query.size > 0 ? `?${query}` : '');
  idempotencyCounter += 1;
  return {
    method: op.method,
    path,
    synthetic,
    ...(op.body ? { body: sampleBody(doc, op.body, target.hint) } : {}),
    ...(op.idempotent ? { headers: { 'idempotency-key': `matrix-${idempotencyCounter}` } } : {}),
  };
}

const withoutInstance = (body: unknown): Record<string, unknown> => {
  const { instance: _instance, ...rest } = (body ?? {}) as Record<string, unknown>;
  return rest;
};

function expectProblem(response: Response, status: number, slug: string, path: string): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = response.body as Record<string, unknown>;
  expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  expect(body.type).toMatch(new RegExp(`/problems/${slug}$`));
  expect(body.instance).toBe(path.split('?')[0]);
}

/** Runs one case and returns what is wrong with its answer (nothing when it is right). */
async function runCase(
  op: Operation,
  caller: { label: string; key?: string; authorization?: string },
  target: Target,
  expected: Expectation,
): Promise<string[]> {
  return (await runCaseWithResponse(op, caller, target, expected)).failures;
}

async function runCaseWithResponse(
  op: Operation,
  caller: { label: string; key?: string; authorization?: string },
  target: Target,
  expected: Expectation,
): Promise<{ failures: string[]; response: Response }> {
  const request = await requestFor(op, target, { fresh: expected === 'pass' && op.method === 'DELETE' });
  const response = await send(runtime().url, {
    ...request,
    ...(caller.key ? { key: caller.key } : {}),
    ...(caller.authorization !== undefined ? { authorization: caller.authorization } : {}),
  });
  cases.push({
    operationId: op.operationId,
    caller: caller.label,
    target: target.name,
    expected,
    status: response.status,
  });
  const where = `${op.operationId} ${request.method} ${request.path} as ${caller.label} (${target.name})`;
  const failures: string[] = [];
  const fail = (why: string) =>
    failures.push(`${where}: expected ${expected}, ${why}: ${response.text.slice(0, 300)}`);
  if (response.status >= 500) fail(`got ${response.status}`);
  if (!response.headers.get('x-request-id')) fail('no x-request-id');
  if (expected === 'pass') {
    if (response.status === 401 || response.status === 403) fail(`got ${response.status}`);
    if (!op.statuses.includes(response.status) && response.status !== 304) {
      fail(`got ${response.status}, which the document does not list (${op.statuses.join(',')})`);
    }
    if (response.status === 404) {
      const body = withoutInstance(response.body);
      if (canonical(body) === canonical(scopeNotFound)) fail('got the scope 404');
      else if (!request.synthetic) fail('got 404 for a resource that exists');
    }
    return { failures, response };
  }
  try {
    const slug = expected === 401 ? 'unauthorized' : expected === 403 ? 'forbidden' : 'not-found';
    expectProblem(response, expected, slug, request.path);
  } catch (error) {
    fail((error as Error).message.split('\n')[0] ?? 'wrong answer');
  }
  if (expected === 404 && response.status === 404) {
    const body = canonical(withoutInstance(response.body));
    if (body !== canonical(scopeNotFound))
      fail(`the body differs from the scope 404 ${canonical(scopeNotFound)}`);
  }
  return { failures, response };
}

/** Runs tasks with bounded concurrency (the runtime is one process on a small machine). */
async function pool<T>(tasks: (() => Promise<T>)[], width = 6): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** Comparable form of a denial: status, content type, header names and body without `instance`. */
const shape = (response: Response) => ({
  status: response.status,
  contentType: response.headers.get('content-type'),
  headers: [...response.headers.keys()].filter((name) => !['date', 'content-length'].includes(name)).sort(),
  body: withoutInstance(response.body),
});

describe('security matrix: every route of the table × every role × own and foreign scope', () => {
  it('is generated from /v1/openapi.json, which documents exactly the route table with its roles', () => {
    expect(crossCheck(operations, apiRoutes)).toEqual([]);
    expect(operations.length).toBe(apiRoutes.length);
  });

  it('own scope: allowed roles get past authorization, every other role gets 403', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      for (const caller of callers) {
        const expected = expectationFor(op, caller, home);
        failures.push(...(await runCase(op, { label: caller.role, key: caller.key }, home, expected)));
      }
    }
    expect(failures).toEqual([]);
  });

  it('public routes answer without a key; every other route answers 401 to a missing, unknown, revoked or malformed key', async () => {
    const failures: string[] = [];
    for (const op of operations) {
      for (const credential of anonymous) {
        const expected: Expectation = op.access === 'public' ? 'pass' : 401;
        failures.push(...(await runCase(op, credential, home, expected)));
      }
      if (op.access === 'public') {
        const response = await send(runtime().url, await requestFor(op, home, { fresh: false }));
        // 303: sign-in sends the browser on to the identity provider (or back to sign-in).
        if (response.status !== 200 && response.status !== 303) {
          failures.push(`${op.operationId} without a key: ${response.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('foreign tenant or state: 404 exactly as for one that does not exist, and nothing is written', async () => {
    const rt = runtime();
    const victimPartitions = [tenantPk(VICTIM), tenantPk(VICTIM_STATE_TENANT), 'STATE#GA'];
    const partitionsBefore = await Promise.all(victimPartitions.map((pk) => partition(rt, pk)));
    const tableBefore = await scanTable(rt);

    const tasks: (() => Promise<string[]>)[] = [];
    for (const op of operations.filter((o) => isScoped(o) && o.access !== 'public')) {
      for (const caller of callers.filter((c) => c.scope.kind !== 'platform')) {
        // A state key reaches its own state's counties on audit routes: its foreign county is the GA one.
        const reachesVictim = expectationFor(op, caller, victim) === 'pass' && caller.scope.kind === 'state';
        const target: Target = reachesVictim
          ? { ...victim, tenantId: VICTIM_STATE_TENANT, tenantState: 'GA' }
          : victim;
        tasks.push(async () => {
          const expected = expectationFor(op, caller, target);
          const { failures, response } = await runCaseWithResponse(
            op,
            { label: caller.role, key: caller.key },
            target,
            expected,
          );
          // A county key on a state path is a wrong role, checked above as a 403 (API.md), not a hidden scope.
          if (expected === 403 && caller.scope.kind === 'tenant') return failures;
          if (expected !== 404)
            return [...failures, `${op.operationId} ${caller.role}: foreign scope not 404`];
          // The same request where nothing exists: a tenant/state never created, and ids naming nothing.
          const answers: Response[] = [response];
          const missingHere: Target = reachesVictim
            ? { ...missing, tenantId: VICTIM_STATE_TENANT, tenantState: 'GA' }
            : missing;
          for (const target of [ghost, missingHere]) {
            const request = await requestFor(op, target, { fresh: false });
            answers.push(await send(rt.url, { ...request, key: caller.key }));
          }
          const [exists, ...absent] = answers.map(shape);
          for (const other of absent) {
            if (canonical(other) !== canonical(exists)) {
              failures.push(
                `${op.operationId} as ${caller.role}: foreign answer ${canonical(exists)} differs from ${canonical(other)}`,
              );
            }
          }
          return failures;
        });
      }
      for (const credential of anonymous) {
        tasks.push(() => runCase(op, credential, victim, 401));
      }
    }
    const failures = (await pool(tasks)).flat();

    // Nothing a refused request did may show: the victim's partitions (a Query each, as the tenant
    // owns them) and, to be sure, the whole table.
    const partitionsAfter = await Promise.all(victimPartitions.map((pk) => partition(rt, pk)));
    for (const [index, pk] of victimPartitions.entries()) {
      const before = new Map(
        (partitionsBefore[index] ?? []).map((item) => [String(item.sk), canonical(item)]),
      );
      const after = new Map((partitionsAfter[index] ?? []).map((item) => [String(item.sk), canonical(item)]));
      for (const change of tableDiff(before, after)) failures.push(`victim partition ${pk}: ${change}`);
    }
    for (const change of tableDiff(tableBefore, await scanTable(rt))) failures.push(`table: ${change}`);
    expect(failures).toEqual([]);
  });

  it('platform-admin crosses tenants and states: the same answers as on any scope', async () => {
    const admin = callers.find((caller) => caller.role === 'platform-admin') as Caller;
    const failures: string[] = [];
    for (const op of operations.filter(isScoped)) {
      const expected = expectationFor(op, admin, victim);
      failures.push(...(await runCase(op, { label: admin.role, key: admin.key }, victim, expected)));
    }
    expect(failures).toEqual([]);
  });

  it('left no route of the table out of any cell of the matrix', () => {
    const roles = callers.map((caller) => caller.role as string);
    const gaps: string[] = [];
    for (const route of apiRoutes) {
      const ran = cases.filter((c) => c.operationId === route.operationId);
      const scoped = route.access !== 'public' && /\{(tenantId|state)\}/.test(route.path);
      for (const label of [...roles, ...anonymous.map((a) => a.label)]) {
        for (const target of scoped ? (['own', 'foreign'] as const) : (['own'] as const)) {
          if (!ran.some((c) => c.caller === label && c.target === target)) {
            gaps.push(`${routeKey(route)} (${route.operationId}): no case for ${label} on ${target} scope`);
          }
        }
      }
    }
    expect(gaps).toEqual([]);
    const byExpectation = Object.groupBy(cases, (c) => String(c.expected));
    console.info(
      `security matrix: ${apiRoutes.length} routes, ${cases.length} cases (${Object.entries(byExpectation)
        .map(([expected, list]) => `${expected}: ${list?.length ?? 0}`)
        .join(', ')}) plus ghost comparisons`,
    );
  });
});
