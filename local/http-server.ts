import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_BODY_BYTES } from '../shared/http/api-handler.ts';
import { ProblemError, problems } from '../shared/http/problem.ts';

/**
 * Bigger than any body the API accepts (64 KiB; 1 MiB for a bookings batch), so the handler, not
 * the transport, answers 413.
 */
const MAX_READ_BYTES = 2 * 1024 * 1024;

const PROBLEM_JSON = 'application/problem+json';

export type RequestListener = (
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
) => Promise<void>;

/** Reads the whole body (bounded), then hands the request on; a crash answers 500, never hangs. */
export function createBufferedServer(listener: RequestListener): Server {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_READ_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_READ_BYTES) {
        sendProblem(response, problems.payloadTooLarge(MAX_BODY_BYTES), request.url);
        return;
      }
      listener(request, Buffer.concat(chunks), response).catch((error: unknown) => {
        console.error('local runtime: unhandled error', error);
        if (!response.headersSent) sendProblem(response, problems.internal(), request.url);
        else response.end();
      });
    });
  });
  // What Node's parser refuses before any handler runs (a URL or headers past its 16 KiB limit,
  // bytes that are not HTTP) is still answered as problem+json with a request id.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) =>
    answerClientError(error, socket),
  );
  return server;
}

/** Every error the server itself gives is a problem document with a request id, like the API's. */
export function sendProblem(response: ServerResponse, problem: ProblemError, url?: string): void {
  const text = JSON.stringify(problem.toBody(url ? new URL(url, 'http://localhost').pathname : undefined));
  response.writeHead(problem.status, {
    'content-type': PROBLEM_JSON,
    'content-length': Buffer.byteLength(text),
    'x-request-id': randomUUID(),
  });
  response.end(text);
}

const HEADERS_TOO_LARGE = new ProblemError(
  431,
  'request-header-fields-too-large',
  'Request header fields too large',
  'The request line and headers together must stay under 16 KiB.',
);
const BAD_REQUEST = new ProblemError(400, 'bad-request', 'Bad request', 'The request is not valid HTTP/1.1.');

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const problem = error.code === 'HPE_HEADER_OVERFLOW' ? HEADERS_TOO_LARGE : BAD_REQUEST;
  const text = JSON.stringify(problem.toBody());
  socket.end(
    [
      `HTTP/1.1 ${problem.status} ${problem.title}`,
      `content-type: ${PROBLEM_JSON}`,
      `content-length: ${Buffer.byteLength(text)}`,
      `x-request-id: ${randomUUID()}`,
      'connection: close',
      '',
      text,
    ].join('\r\n'),
  );
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-request-id': randomUUID(),
  });
  response.end(text);
}

/** Listens, turning "port taken" into a one-line explanation. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} on ${host} is already in use: stop the other process or set PORT=<free port>`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
