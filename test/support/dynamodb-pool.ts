import { createServer, type Server } from 'node:http';
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where a test file takes its fresh DynamoDB Local (test/support/dynamodb.ts). */
    dynamoDbPool: string;
  }
}

/**
 * Vitest global set-up: hands each test file a DynamoDB Local of its own, started while the previous
 * file ran. Every instance serves exactly one file and is stopped after it (an instance that has
 * served many files slows down several times over: docs/PERFORMANCE.md); only the JVM start moves
 * off the file's own time. The first instance starts when a file first asks, so runs without
 * integration tests start no Java. Test workers are other processes: they ask over loopback HTTP.
 *
 * POST /take answers `{ "id": n, "endpoint": "http://127.0.0.1:port" }` and starts the next spare;
 * POST /release/<id> stops that instance.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const inUse = new Map<number, Promise<DynamoDbLocal>>();
  let spare: Promise<DynamoDbLocal> | undefined;
  const stopped: Promise<void>[] = [];
  let nextId = 1;
  const startOne = (): Promise<DynamoDbLocal> => {
    const starting = startDynamoDbLocal({ quickStart: true });
    starting.catch(() => undefined); // reported to the file that takes it
    return starting;
  };
  const stop = (instance: Promise<DynamoDbLocal>): Promise<void> =>
    instance.then((dynamo) => dynamo.stop()).catch(() => undefined);

  const server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const release = /^\/release\/(\d+)$/.exec(request.url ?? '');
    if (request.method === 'POST' && request.url === '/take') {
      const taken = spare ?? startOne();
      spare = startOne();
      const id = nextId++;
      inUse.set(id, taken);
      taken.then(
        (dynamo) => answer(200, { id, endpoint: dynamo.endpoint }),
        (error: unknown) => answer(500, { error: String(error) }),
      );
    } else if (request.method === 'POST' && release) {
      const id = Number(release[1]);
      const instance = inUse.get(id);
      inUse.delete(id);
      if (!instance) return answer(404, {});
      // The file goes on at once; the JVM's exit overlaps the next file (awaited at teardown).
      stopped.push(stop(instance));
      answer(200, {});
    } else {
      answer(404, {});
    }
  });
  const url = await listen(server);
  project.provide('dynamoDbPool', url);

  return async () => {
    await new Promise<void>((done) => server.close(() => done()));
    const left = [...inUse.values(), ...(spare ? [spare] : [])];
    await Promise.all([...stopped, ...left.map(stop)]);
  };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(`http://127.0.0.1:${address.port}`);
      else reject(new Error('no address'));
    });
  });
}
