/** Finds a project's own copy of a Node tool (node_modules/.bin), so the project's version runs. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest `node_modules/.bin/<name>` at or above `root`, else `npx --no-install <name>`. */
export function localBin(root: string, name: string): { file: string; prefix: string[] } {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', name);
    if (existsSync(candidate)) return { file: candidate, prefix: [] };
    if (dirname(dir) === dir) return { file: 'npx', prefix: ['--no-install', name] };
  }
}
