/**
 * Sample projects: a fixture copied to a fresh temp dir, with this repo's node_modules linked in.
 */
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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

/** The jest a project gets: 29 (the `jest` devDependency) or 30 (the `jest30` alias). */
export type JestMajor = 29 | 30;

/** The vitest a project gets: 5 (the `vitest` devDependency) or 4.1 (test/runners/vitest4). */
export type VitestMajor = 4 | 5;

/** vitest 4.1, installed by the test/runners/vitest4 workspace. */
const VITEST4 = fileURLToPath(new URL('../runners/vitest4/node_modules/vitest', import.meta.url));

/** Copies `fixture` into a temp dir (removed after the test) and returns its path. */
export function makeProject(
  fixture: Fixture,
  options: { jest?: JestMajor; vitest?: VitestMajor } = {},
): string {
  const dir = tempDir(`fixloop-${fixture}-`);
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  if (fixture !== 'pytest-project') linkModules(join(dir, 'node_modules'), options.jest);
  if (options.vitest === 4) {
    rmSync(join(dir, 'node_modules/vitest'));
    symlinkSync(VITEST4, join(dir, 'node_modules/vitest'), 'dir');
  }
  return dir;
}

/** This repo's runner caches: each sample project keeps its own. */
const CACHES = ['.vite', '.vite-temp', '.cache', '.vitest-cache', '.experimental-vitest-cache'];

/**
 * A node_modules of links to this repo's packages, as a user's is a folder of the project: runner
 * caches (vite's .vite-temp) are written in it, which a sandboxed run may do. `jest` is jest 29,
 * or 30 when asked, and `.bin/jest` always runs that same jest (both packages name a `jest` bin,
 * so the repo's own `.bin/jest` may be either).
 */
export function linkModules(folder: string, jest: JestMajor = 29): void {
  mkdirSync(join(folder, '.bin'), { recursive: true });
  for (const name of readdirSync(NODE_MODULES)) {
    if (CACHES.includes(name) || ['.bin', 'jest', 'jest30'].includes(name)) continue;
    symlinkSync(join(NODE_MODULES, name), join(folder, name), 'dir');
  }
  symlinkSync(join(NODE_MODULES, jest === 30 ? 'jest30' : 'jest'), join(folder, 'jest'), 'dir');
  const bin = join(NODE_MODULES, '.bin');
  for (const name of readdirSync(bin)) {
    // Relative links (`../vitest/vitest.mjs`) resolve through this folder's links.
    const target = name === 'jest' ? '../jest/bin/jest.js' : linkOf(join(bin, name));
    symlinkSync(target, join(folder, '.bin', name));
  }
}

/** Where a link points, or the file itself when it is not a link. */
function linkOf(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return path;
  }
}

/** Replaces `from` with `to` in a project file (a user's edit). */
export function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(path, text.replace(from, to));
}
