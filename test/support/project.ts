/**
 * Sample projects: a fixture copied to a fresh temp dir, with this repo's node_modules linked in.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './tmp.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

export type Fixture =
  | 'vitest-project'
  | 'jest-project'
  | 'pytest-project'
  | 'vitest-monorepo'
  | 'jest-roots';

/** Copies `fixture` into a temp dir (removed after the test) and returns its path. */
export function makeProject(fixture: Fixture): string {
  const dir = tempDir(`fixloop-${fixture}-`);
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  if (fixture !== 'pytest-project') linkModules(join(dir, 'node_modules'));
  return dir;
}

/**
 * A node_modules of links to this repo's packages, as a user's is a folder of the project: runner
 * caches (vite's .vite-temp) are written in it, which a sandboxed run may do.
 */
function linkModules(folder: string): void {
  mkdirSync(folder);
  for (const name of readdirSync(NODE_MODULES)) {
    if (name === '.vite' || name === '.vite-temp' || name === '.cache') continue;
    symlinkSync(join(NODE_MODULES, name), join(folder, name), 'dir');
  }
}

/** Replaces `from` with `to` in a project file (a user's edit). */
export function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(path, text.replace(from, to));
}
