import { spawnSync } from 'node:child_process';
import { fromRepoRoot } from './paths.ts';

/**
 * Generated reports (docs/PERFORMANCE.md) are written as plain Markdown and then formatted by the
 * repository's formatter, so `biome check` (part of `npm test`) passes on a freshly written report.
 */
export function formatGenerated(file: string): void {
  const result = spawnSync(fromRepoRoot('node_modules/.bin/biome'), ['format', '--write', file], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`biome could not format ${file}: ${result.stderr || result.stdout}`);
}
