/**
 * The HTTP face of the local scheduler: the subset of the EventBridge Scheduler REST-JSON API the
 * production adapter calls, with the paths, query names and error shapes of the service model, so
 * `new SchedulerClient({ endpoint: url })` works against it unchanged. SigV4 signatures are not verified.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalScheduler, SchedulerError } from './local-scheduler.ts';

export interface LocalSchedulerServer {
  url: string;
  close(): Promise<void>;
}

export interface LocalSchedulerServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

interface ParsedRequest {
  method: string;
  segments: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
}

type Operation = (scheduler: LocalScheduler, request: ParsedRequest) => unknown;

const MAX_BODY_BYTES = 1024 * 1024;

export async function startLocalSchedulerServer(
  scheduler: LocalScheduler,
  options: LocalSchedulerServerOptions = {},
): Promise<LocalSchedulerServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    handle(scheduler, request, response).catch((error: unknown) => {
      // Only reading the body can fail here (too large, connection lost).
      if (response.headersSent) return response.destroy();
      const answer = errorReply(error);
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

async function handle(scheduler: LocalScheduler, request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const reply = dispatch(scheduler, {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    body: await readBody(request),
  });
  response.writeHead(reply.status, reply.headers);
  response.end(reply.body);
}

/** A request as the service sees it, whichever transport carried it. */
export interface SchedulerRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

/** The service's answer: status, headers (`x-amzn-errortype` on an error) and JSON body. */
export interface SchedulerReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One request through the service: route, validate, run, answer (errors as the service shapes
 * them). The HTTP server and the in-process transport (in-process-handler.ts) both call it.
 */
export function dispatch(scheduler: LocalScheduler, request: SchedulerRequest): SchedulerReply {
  try {
    const parsed: ParsedRequest = {
      method: request.method,
      segments: request.path.split('/').filter(Boolean).map(decodeLabel),
      query: request.query,
      body: parseBody(request.body),
    };
    const operation = route(parsed.method, parsed.segments);
    if (!operation) {
      return reply(
        404,
        { Message: `No operation for ${parsed.method} /${parsed.segments.join('/')}.` },
        'UnknownOperationException',
      );
    }
    return reply(200, operation(scheduler, parsed));
  } catch (error) {
    return errorReply(error);
  }
}

/** Any failure, as the service shapes its errors. */
function errorReply(error: unknown): SchedulerReply {
  const failure = asServiceError(error);
  return reply(failure.status, { Message: failure.message }, failure.type);
}

/** Paths and members as in the service model: the schedule name is the `{Name}` label. */
function route(method: string, segments: string[]): Operation | undefined {
  const [collection, name, ...rest] = segments;
  if (collection !== 'schedules' || rest.length > 0) return undefined;
  if (name === undefined) return method === 'GET' ? listSchedules : undefined;
  switch (method) {
    case 'POST':
      return (scheduler, { body }) => scheduler.createSchedule({ ...body, Name: name });
    case 'PUT':
      return (scheduler, { body }) => scheduler.updateSchedule({ ...body, Name: name });
    case 'GET':
      return (scheduler, { query }) =>
        scheduler.getSchedule({ Name: name, GroupName: queryValue(query, 'groupName') });
    case 'DELETE':
      return (scheduler, { query }) =>
        scheduler.deleteSchedule({
          Name: name,
          GroupName: queryValue(query, 'groupName'),
          ClientToken: queryValue(query, 'clientToken'),
        });
    default:
      return undefined;
  }
}

const listSchedules: Operation = (scheduler, { query }) => {
  const maxResults = queryValue(query, 'MaxResults');
  return scheduler.listSchedules({
    GroupName: queryValue(query, 'ScheduleGroup'),
    NamePrefix: queryValue(query, 'NamePrefix'),
    State: queryValue(query, 'State'),
    NextToken: queryValue(query, 'NextToken'),
    // A non-numeric value becomes NaN, which validation rejects as AWS does.
    MaxResults: maxResults === undefined ? undefined : Number(maxResults),
  });
};

const queryValue = (query: URLSearchParams, name: string): string | undefined => query.get(name) ?? undefined;

function decodeLabel(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new SchedulerError('ValidationException', `Malformed path segment ${segment}.`);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new SchedulerError('ValidationException', 'Request body too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

class SerializationError extends Error {}

function parseBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SerializationError('Request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SerializationError('Request body must be a JSON object.');
  }
  return { ...value };
}

interface ServiceError {
  status: number;
  type: string;
  message: string;
}

function asServiceError(error: unknown): ServiceError {
  if (error instanceof SchedulerError) {
    return { status: error.statusCode, type: error.errorName, message: error.message };
  }
  if (error instanceof SerializationError) {
    return { status: 400, type: 'SerializationException', message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, type: 'InternalServerException', message };
}

/** The SDK reads the error type from `x-amzn-errortype` first, then `code`, then `__type`. */
function reply(status: number, body: unknown, errorType?: string): SchedulerReply {
  const payload = JSON.stringify(body);
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    },
    body: payload,
  };
}
