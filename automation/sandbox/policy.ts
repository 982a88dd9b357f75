/**
 * What a sandboxed process may touch (CONTRACT.md §8, Isolation): write only its own tree (a
 * worktree, the working tree for fixes, an export) and fixloop's temp folder; read the rest of the
 * file system, but not the home folder beyond the caches and toolchains runners need; never see
 * fixloop's state or log; an empty /tmp; no network but its own loopback, unless allowed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, relative, sep } from 'node:path';

export interface SandboxPolicy {
  /** Folders the process may write (its tree, fixloop's temp folder for reports). */
  writable: string[];
  /** Folders readable though under the home folder (the checkout, fixloop itself). */
  readable: string[];
  /** Folders hidden behind an empty one: fixloop's state and log folders. */
  hidden: string[];
  /** Files that cannot be read (a device on a nodev mount): the checkout's .env files elsewhere. */
  hiddenFiles: string[];
  /** The home folder, replaced by an empty one but for `homeKept`; undefined: left as it is. */
  home: string | undefined;
  /** Caches and toolchains under the home folder, kept readable. */
  homeKept: string[];
  /** Under the home folder, kept writable (Claude Code's own settings and session files). */
  homeWritable: string[];
  /** The temp folder (TMPDIR) of the process: fixloop's own, so caches there last between runs. */
  tmp: string;
  network: 'deny' | 'allow';
}

/** Package-manager and runner caches runners read (relative to the home folder). */
const CACHES = [
  '.npm',
  '.cache/pip',
  '.cache/pnpm',
  '.local/share/pnpm',
  '.cache/yarn',
  '.yarn',
  '.cache/ms-playwright',
  '.cache/node-gyp',
];

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

/** Folders of the home folder that hold more than toolchains: only the PATH entry is kept. */
const SHARED_TOPS = new Set(['.local', '.config', '.cache']);

/**
 * The folders under `home` that PATH's entries live in (toolchains such as ~/.pyenv, ~/.nvm,
 * ~/.volta, ~/.cargo): the top folder of each, so shims find what they run — but only the entry
 * itself under ~/.local, ~/.config and ~/.cache (~/.local/share holds keyrings).
 */
export function toolchainsUnder(home: string, path: string | undefined): string[] {
  const tops = new Set<string>();
  for (const entry of (path ?? '').split(delimiter)) {
    if (!entry || !inside(home, entry)) continue;
    const first = relative(home, entry).split(sep)[0];
    if (first) tops.add(SHARED_TOPS.has(first) ? entry : join(home, first));
  }
  return [...tops];
}

/** The caches and toolchains under `home` that exist, to keep readable. */
export function homeKeeps(home: string, path: string | undefined): string[] {
  return [...CACHES.map((c) => join(home, c)), ...toolchainsUnder(home, path)].filter((p) =>
    existsSync(p),
  );
}

/** A virtualenv's folder holding `bin` (it has pyvenv.cfg), and the Python it was made from. */
function virtualenvOf(bin: string): string[] {
  const root = basename(bin) === 'bin' || basename(bin) === 'Scripts' ? dirname(bin) : bin;
  let cfg: string;
  try {
    cfg = readFileSync(join(root, 'pyvenv.cfg'), 'utf8');
  } catch {
    return [bin];
  }
  // `home = /path/to/base/bin`: the interpreter its python links to.
  const base = /^home\s*=\s*(.+)$/m.exec(cfg)?.[1]?.trim();
  return base ? [root, dirname(base)] : [root];
}

/**
 * The environments PATH leads to that an empty folder of the sandbox (`/tmp`, `home`) would hide,
 * to keep readable: a virtualenv made under /tmp (whole, with the Python it was made from), any
 * other PATH entry there, and the active VIRTUAL_ENV or CONDA_PREFIX. Hidden, the run would find
 * another Python and another copy of the package under test: a wrong verdict, not an error.
 */
export function pathEnvironments(
  covered: readonly string[],
  env: { PATH?: string; VIRTUAL_ENV?: string; CONDA_PREFIX?: string },
): string[] {
  const entries = (env.PATH ?? '').split(delimiter).filter((e) => isAbsolute(e));
  for (const prefix of [env.VIRTUAL_ENV, env.CONDA_PREFIX])
    if (prefix && isAbsolute(prefix)) entries.push(join(prefix, 'bin'));
  const keep = new Set<string>();
  for (const entry of entries) {
    if (!covered.some((c) => inside(c, entry)) || !existsSync(entry)) continue;
    for (const p of virtualenvOf(entry))
      if (covered.some((c) => inside(c, p)) && existsSync(p)) keep.add(p);
  }
  return [...keep];
}

/** Whether `path` is `folder` or inside it. */
export const within = (folder: string, path: string) => path === folder || inside(folder, path);
