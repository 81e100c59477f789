import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { QUICK_START_JVM_FLAGS } from '../../../local/dynamodb-local.ts';

export const ROOT = new URL('../../..', import.meta.url).pathname;

export interface Started {
  child: ChildProcess;
  url: string;
  key: string;
  output: () => string;
}

/** Runs the real `npm start` entry point as its own process, as a developer would. */
export function start(env: Record<string, string>, args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, ['local/start.ts', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      // The `java` launcher reads JDK_JAVA_OPTIONS: the DynamoDB Local that `npm start` starts here
      // lives for one test, so it starts the way a test file's does (half the start-up CPU).
      JDK_JAVA_OPTIONS: QUICK_START_JVM_FLAGS.join(' '),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${output}`)), 60_000);
    const check = setInterval(() => {
      const url = /API:\s+(http:\/\/\S+)\/v1/.exec(output)?.[1];
      const key = /Platform admin:\s+(\S+)/.exec(output)?.[1];
      if (url && key) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, url, key, output: () => output });
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

export const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null
      ? resolve(child.exitCode)
      : child.once('exit', resolve),
  );

/** Java processes whose parent is the given pid (DynamoDB Local). */
export const javaChildren = (pid: number): string =>
  spawnSync('pgrep', ['-P', String(pid), 'java'], { encoding: 'utf8' }).stdout.trim();

/** Polls `probe` (a real request, no sleep-for-time) until it returns a value, or fails after `ms`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
