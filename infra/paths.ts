import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: NodejsFunction's projectRoot, so esbuild resolves `shared/` and node_modules. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const LOCK_FILE = resolve(REPO_ROOT, 'package-lock.json');

export function fromRepoRoot(relativePath: string): string {
  return resolve(REPO_ROOT, relativePath);
}
