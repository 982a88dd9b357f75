/**
 * Finds test files by name in a project tree (for runners without an import graph: pytest, node).
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ALWAYS_IGNORED_DIRS } from '../../fs/ignored-dirs.js';

/** Stops a walk of a huge tree: the suite is the better answer there. */
const MAX_ENTRIES = 50_000;

/** Relative paths (with `/`) of files under `root` for which `match(name, relPath)` holds. */
export async function findFiles(
  root: string,
  match: (name: string, relPath: string) => boolean,
): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  const walk = async (rel: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (++seen > MAX_ENTRIES) return;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!ALWAYS_IGNORED_DIRS.has(entry.name) && !entry.name.startsWith('.')) await walk(path);
      } else if (entry.isFile() && match(entry.name, path)) {
        found.push(path);
      }
    }
  };
  await walk('');
  return found.sort();
}

/** The stem of a source file: `src/a/date_utils.py` → `date_utils`. */
export function stemOf(relPath: string): string {
  const name = relPath.slice(relPath.lastIndexOf('/') + 1);
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}
