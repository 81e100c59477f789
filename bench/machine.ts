import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

/** The machine a figure was measured on: CPU model, cores, memory, Node, load when it started. */
export function describeMachine(): {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  load: string;
} {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) cpu = line.split(':')[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: os.cpus() it is.
  }
  return {
    cpu: `${cpu} (${process.arch})`,
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    load: loadavg()
      .map((value) => value.toFixed(2))
      .join(' / '),
  };
}
