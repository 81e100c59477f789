import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time spent by this Node process and by DynamoDB Local's JVM, so a figure can say where an
 * operation's time went (Linux /proc; elsewhere the JVM's share reads as 0).
 */
const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports.

/** The JVM serving `endpoint` (its command line carries `-port <port>`), or undefined. */
export function findDynamoDbLocalPid(endpoint: string): number | undefined {
  const port = new URL(endpoint).port;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if (args[0]?.endsWith('java') && args.includes('-port') && args[args.indexOf('-port') + 1] === port) {
          return Number(entry);
        }
      } catch {
        // The process ended meanwhile.
      }
    }
  } catch {
    // No /proc.
  }
  return undefined;
}

/** User + system CPU milliseconds of a process (all its threads) so far. */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export interface CpuSplit {
  nodeMs: number;
  dynamoMs: number;
}

/** Starts a measurement; the returned function gives the CPU spent since. */
export function cpuMeter(dynamoPid: number | undefined): () => CpuSplit {
  const node = process.cpuUsage();
  const dynamo = processCpuMs(dynamoPid);
  return () => {
    const used = process.cpuUsage(node);
    return { nodeMs: (used.user + used.system) / 1000, dynamoMs: processCpuMs(dynamoPid) - dynamo };
  };
}
