/**
 * Gives a copy of the project (a commit's export, a work order's worktree) the project's installed
 * dependencies without a new install: each `node_modules` folder beside a package.json is linked.
 *
 * Invariant: the copy never resolves the project's own code through a link back into the source
 * checkout. A workspace package installed as a link (npm, yarn and pnpm workspaces, `npm link`
 * of a folder of the repository) would make the copy's tests import the developer's working tree
 * instead of the copy's files; such entries are linked to the copy's own folder instead.
 *
 * Each node_modules of the copy is a folder of its own holding links, never a link to the
 * checkout's: runner caches written there (vite's .vite-temp config bundles, vitest's results)
 * stay in the copy, which is all a sandboxed run may write.
 */
import {
  lstat,
  mkdir,
  readdir,
  readlink,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ALWAYS_IGNORED_DIRS } from '../fs/ignored-dirs.js';

/** How deep package.json files are looked for (monorepos nest packages a few levels down). */
const MAX_DEPTH = 4;

/** Marks a node_modules folder fixloop made of links (rebuilt at each linking). */
const MADE = '.fixloop-links';

/**
 * Entries of a node_modules that are runner caches: each copy keeps its own (vitest 5's module
 * cache, `.vitest-cache`, and vitest 4's experimental one among them: a copy's runs never write
 * into the developer's caches).
 */
const CACHES = new Set([
  '.vite',
  '.vite-temp',
  '.cache',
  '.vitest-cache',
  '.experimental-vitest-cache',
  MADE,
]);

const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

/** `real` is a folder of the source's own code (inside it, not inside a node_modules). */
function ownCode(realSource: string, real: string): string | undefined {
  if (!real.startsWith(realSource + sep)) return undefined;
  const rel = relative(realSource, real);
  return rel.split(sep).includes('node_modules') ? undefined : rel;
}

/**
 * The entries of `modules` (a node_modules folder) that link back to the source's own code, as
 * `[name, folder relative to the source]` (scoped names `@scope/pkg` included).
 */
async function ownLinks(modules: string, realSource: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const visit = async (dir: string, prefix: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const name = prefix + entry.name;
      if (!prefix && entry.name.startsWith('@') && entry.isDirectory()) {
        await visit(join(dir, entry.name), `${entry.name}/`);
      } else if (entry.isSymbolicLink()) {
        const real = await realpath(join(dir, entry.name)).catch(() => undefined);
        const rel = real && ownCode(realSource, real);
        if (rel !== undefined) found.set(name, rel);
      }
    }
  };
  await visit(modules, '');
  return found;
}

/**
 * `link` as a folder of links to `target`'s entries, except the source's own packages, which point
 * at the copy's counterpart (`own`: name → folder relative to the copy).
 */
async function linkEach(target: string, link: string, own: Map<string, string>, copy: string) {
  await rm(link, { recursive: true, force: true });
  await mkdir(link, { recursive: true });
  await writeFile(join(link, MADE), 'node_modules of a copy, made by fixloop\n');
  const scopes = new Set(
    [...own.keys()].flatMap((n) => (n.includes('/') ? [n.split('/')[0]] : [])),
  );
  for (const entry of await readdir(target, { withFileTypes: true })) {
    if (CACHES.has(entry.name)) continue;
    if (scopes.has(entry.name)) {
      await mkdir(join(link, entry.name));
      for (const inner of await readdir(join(target, entry.name), { withFileTypes: true })) {
        const name = `${entry.name}/${inner.name}`;
        const to = own.has(name)
          ? join(copy, own.get(name) ?? '')
          : await final(join(target, name), inner.isSymbolicLink());
        await symlink(to, join(link, name), 'dir');
      }
      continue;
    }
    const to = own.has(entry.name)
      ? join(copy, own.get(entry.name) ?? '')
      : await final(join(target, entry.name), entry.isSymbolicLink());
    await symlink(to, join(link, entry.name), 'dir');
  }
}

/**
 * Where a link of `target` should point: a link's own end (a copy of a copy — a work order's base —
 * must not lead through the copy it was made from, which its sandbox cannot see).
 */
const final = (path: string, isLink: boolean) =>
  isLink ? realpath(path).catch(() => path) : Promise.resolve(path);

/** Whether `link` is a folder fixloop made (and may remake), or a plain link it may replace. */
async function ours(link: string): Promise<boolean> {
  if (await exists(join(link, MADE))) return true;
  return readlink(link).then(
    () => true,
    () => false,
  );
}

/**
 * For every folder of `copy` (to MAX_DEPTH) with a package.json whose counterpart in `source`
 * has a node_modules, links it (see the invariant above). Returns the relative folders linked.
 */
export async function linkDependencies(source: string, copy: string): Promise<string[]> {
  const linked: string[] = [];
  const realSource = await realpath(source);
  const visit = async (rel: string, depth: number): Promise<void> => {
    const here = join(copy, rel);
    const entries = await readdir(here, { withFileTypes: true }).catch(() => []);
    if (entries.some((e) => e.name === 'package.json' && e.isFile())) {
      const target = join(source, rel, 'node_modules');
      const link = join(here, 'node_modules');
      if (await exists(target)) {
        if (!(await exists(link)) || (await ours(link))) {
          await linkEach(target, link, await ownLinks(target, realSource), copy);
          linked.push(rel || '.');
        }
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
