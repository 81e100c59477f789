import { spawnSync } from 'node:child_process';

export const MIN_JAVA_MAJOR = 17;

/** The major version of `java` on PATH, or undefined when there is none. */
export function javaMajorVersion(): number | undefined {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  // Java 8 and older report "1.8".
  return major === 1 ? Number(match[2]) : major;
}

export function assertJava(): void {
  const major = javaMajorVersion();
  if (major === undefined) {
    throw new Error(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+ and no 'java' was found on PATH (Debian: apt-get install openjdk-17-jre-headless).`,
    );
  }
  if (major < MIN_JAVA_MAJOR) {
    throw new Error(`DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+, but 'java' on PATH is version ${major}.`);
  }
}
