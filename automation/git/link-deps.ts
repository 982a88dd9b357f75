/**
 * Gives a copy of the project (a commit's export, a work order's worktree) the project's installed
 * dependencies without a new install: each `node_modules` folder beside a package.json is linked.
 */
import { lstat, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ALWAYS_IGNORED_DIRS } from '../fs/ignored-dirs.js';

/** How deep package.json files are looked for (monorepos nest packages a few levels down). */
const MAX_DEPTH = 4;

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/**
 * For every folder of `copy` (to MAX_DEPTH) with a package.json whose counterpart in `source`
 * has a node_modules, links it. Returns the relative folders linked.
 */
export async function linkDependencies(source: string, copy: string): Promise<string[]> {
  const linked: string[] = [];
  const visit = async (rel: string, depth: number): Promise<void> => {
    const here = join(copy, rel);
    const entries = await readdir(here, { withFileTypes: true }).catch(() => []);
    if (entries.some((e) => e.name === 'package.json' && e.isFile())) {
      const target = join(source, rel, 'node_modules');
      const link = join(here, 'node_modules');
      if ((await exists(target)) && !(await exists(link))) {
        await symlink(target, link, 'dir');
        linked.push(rel || '.');
      }
    }
    if (depth >= MAX_DEPTH) return;
    for (const entry of entries) {
      if (
        !entry.isDirectory() ||
        ALWAYS_IGNORED_DIRS.has(entry.name) ||
        entry.name.startsWith('.')
      ) {
        continue;
      }
      await visit(rel ? `${rel}/${entry.name}` : entry.name, depth + 1);
    }
  };
  await visit('', 0);
  return linked;
}
