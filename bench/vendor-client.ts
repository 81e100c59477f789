import { Agent, request } from 'node:http';

export interface VendorResponse<T> {
  status: number;
  body: T;
  text: string;
}

/**
 * The measured operations' HTTP client: what a jail vendor's integration would run (node:http,
 * connections kept alive, JSON in and out), and nothing more. It shares the machine's two cores
 * with the API and DynamoDB Local, so it is kept light: no fetch streams, no contract check
 * (the tests check every response; set-up here uses their ApiClient).
 */
export class VendorClient {
  private readonly base: URL;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(baseUrl: string) {
    this.base = new URL(baseUrl);
  }

  get<T>(path: string, options: { key: string }): Promise<VendorResponse<T>> {
    return this.call('GET', path, options.key);
  }

  post<T>(path: string, options: { key: string; body: unknown }): Promise<VendorResponse<T>> {
    return this.call('POST', path, options.key, JSON.stringify(options.body));
  }

  close(): void {
    this.agent.destroy();
  }

  private call<T>(method: string, path: string, key: string, body?: string): Promise<VendorResponse<T>> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          agent: this.agent,
          host: this.base.hostname,
          port: this.base.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${key}`,
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({
                status: response.statusCode ?? 0,
                body: (text ? JSON.parse(text) : undefined) as T,
                text,
              });
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}
