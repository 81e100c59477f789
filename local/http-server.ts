import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Bigger than any body the API accepts (64 KiB), so the handler, not the transport, answers 413. */
const MAX_READ_BYTES = 1024 * 1024;

export type RequestListener = (
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
) => Promise<void>;

/** Reads the whole body (bounded), then hands the request on; a crash answers 500, never hangs. */
export function createBufferedServer(listener: RequestListener): Server {
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_READ_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_READ_BYTES) {
        sendJson(response, 413, { title: 'Payload too large', status: 413 }, 'application/problem+json');
        return;
      }
      listener(request, Buffer.concat(chunks), response).catch((error: unknown) => {
        console.error('local runtime: unhandled error', error);
        if (!response.headersSent) sendJson(response, 500, { title: 'Internal error', status: 500 });
        else response.end();
      });
    });
  });
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
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
