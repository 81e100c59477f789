import { responseViolation } from './response-contract.ts';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** A raw body string, sent as is (malformed JSON, oversized bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/**
 * A tiny HTTP client for the local runtime: real requests, parsed answers, each checked against the
 * OpenAPI document's schema for its operation and status (response-contract.ts). The benchmark
 * turns the check off (`checkContract: false`): it times the API, as a vendor's client calls it.
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly checkContract: boolean;

  constructor(baseUrl: string, options: { checkContract?: boolean } = {}) {
    this.baseUrl = baseUrl;
    this.checkContract = options.checkContract ?? true;
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    const violation =
      this.checkContract &&
      responseViolation(method, path, response.status, response.headers.get('content-type') ?? '', parsed);
    if (violation) throw new Error(`response breaks the OpenAPI contract: ${violation}`);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get = <T = Record<string, unknown>>(path: string, options?: CallOptions) =>
    this.call<T>('GET', path, options);
  post = <T = Record<string, unknown>>(path: string, options?: CallOptions) =>
    this.call<T>('POST', path, options);
  put = <T = Record<string, unknown>>(path: string, options?: CallOptions) =>
    this.call<T>('PUT', path, options);
  patch = <T = Record<string, unknown>>(path: string, options?: CallOptions) =>
    this.call<T>('PATCH', path, options);
  delete = <T = Record<string, unknown>>(path: string, options?: CallOptions) =>
    this.call<T>('DELETE', path, options);
}
