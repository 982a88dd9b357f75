/**
 * Sample projects: a fixture copied to a fresh temp dir, with this repo's node_modules linked in.
 */
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
  if (fixture !== 'pytest-project') symlinkSync(NODE_MODULES, join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Replaces `from` with `to` in a project file (a user's edit). */
export function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(path, text.replace(from, to));
}
