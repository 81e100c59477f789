import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, RefusedTargetError, type Resolver } from './resolve-guard.ts';

/**
 * The HTTP client port of the sender: one POST, a hard deadline, no redirects. The production
 * adapter uses node:http(s) directly rather than fetch because it needs a custom `lookup` (the
 * connection goes to the DNS answer the SSRF policy vetted) and fetch exposes none without undici.
 */
export interface WebhookRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type WebhookResponse =
  | { kind: 'response'; statusCode: number; latencyMs: number }
  | { kind: 'error'; error: string; latencyMs: number };

export interface WebhookTransport {
  post(request: WebhookRequest): Promise<WebhookResponse>;
}

export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no response within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

const describe = (error: unknown): string => {
  if (error instanceof TimeoutError || error instanceof RefusedTargetError) return error.message;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
};

/**
 * Node's http client follows no redirects by itself: a 3xx is an answer like any other non-2xx, so
 * a receiver cannot bounce a signed payload to an internal address. IP-literal hosts never reach
 * `lookup` (Node skips DNS for them); the URL policy has vetted them already.
 */
export function nodeHttpTransport(options: { resolver: Resolver }): WebhookTransport {
  const lookup = guardedLookup(options.resolver);
  return {
    post: (webhook) =>
      new Promise((resolve) => {
        const started = performance.now();
        const elapsed = () => Math.round(performance.now() - started);
        let settled = false;
        const settle = (result: WebhookResponse) => {
          if (settled) return;
          settled = true;
          resolve(result);
        };
        const send = webhook.url.protocol === 'https:' ? httpsRequest : httpRequest;
        const outgoing = send(webhook.url, {
          method: 'POST',
          headers: { ...webhook.headers, 'content-length': String(Buffer.byteLength(webhook.body)) },
          lookup,
          // A fresh connection per delivery: nothing pooled outlives the attempt or its vetted address.
          agent: false,
        });
        // One deadline for the whole exchange (DNS, connect, TLS, headers), not an idle timeout.
        const timer = setTimeout(
          () => outgoing.destroy(new TimeoutError(webhook.timeoutMs)),
          webhook.timeoutMs,
        );
        timer.unref();
        outgoing.on('response', (response: IncomingMessage) => {
          settle({ kind: 'response', statusCode: response.statusCode ?? 0, latencyMs: elapsed() });
          // The body is not needed: drain it, and close the connection when it ends or times out.
          response.resume();
          response.on('end', () => clearTimeout(timer));
          // A body cut off by the deadline is not an error of the attempt, which already has its status.
          response.on('error', () => undefined);
        });
        outgoing.on('error', (error) => {
          clearTimeout(timer);
          settle({ kind: 'error', error: describe(error), latencyMs: elapsed() });
        });
        outgoing.on('close', () => clearTimeout(timer));
        outgoing.end(webhook.body);
      }),
  };
}
