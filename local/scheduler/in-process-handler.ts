import { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import type { LocalScheduler } from './local-scheduler.ts';
import { dispatch } from './server.ts';

/**
 * The local runtime's transport to its in-process Scheduler: the real `SchedulerClient` builds,
 * signs and parses every request as it does against AWS, and this handler gives the request to
 * the same `dispatch` the HTTP server uses, without a socket. In AWS the service's side of a call
 * costs the function nothing; locally it shares the machine's two cores with DynamoDB Local, so
 * a loopback HTTP hop per timer would be a cost the deployed system never pays. `server.ts` stays
 * for clients outside the process (its tests drive it over HTTP).
 */
export class InProcessSchedulerHandler implements RequestHandler<HttpRequest, HttpResponse> {
  private readonly scheduler: LocalScheduler;

  constructor(scheduler: LocalScheduler) {
    this.scheduler = scheduler;
  }

  async handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      for (const item of Array.isArray(value) ? value : [value]) if (item !== null) query.append(name, item);
    }
    const reply = dispatch(this.scheduler, {
      method: request.method,
      path: request.path,
      query,
      body: bodyText(request.body),
    });
    return {
      response: {
        statusCode: reply.status,
        headers: reply.headers,
        // A Buffer is emitted whole, as one chunk.
        body: Readable.from(Buffer.from(reply.body)),
      },
    };
  }

  // The client's HttpHandler contract; there is no connection to configure.
  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
}

const UTF8 = new TextDecoder();

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  // Decoded as bytes: the SDK's JSON bodies are Uint8Arrays whose valueOf() (which Buffer.from
  // would call) converts them to a string with a deprecation warning.
  if (body instanceof Uint8Array) return UTF8.decode(body);
  throw new Error('the local Scheduler takes string or byte bodies only');
}
