/** The watcher's options as one pure function of the configuration (and a `.gitignore` reader). */
import type { Stats } from 'node:fs';
import { extname } from 'node:path';
import type { ChokidarOptions } from 'chokidar';
import { TEMP_SUFFIX } from '../fs/atomic-write.js';
import { ALWAYS_IGNORED_DIRS } from '../fs/ignored-dirs.js';
import { toRelative } from '../fs/paths.js';
import { GitignoreMatcher, type ReadGitignore } from './gitignore.js';

/** Files never watched: editor swap/backup files, lock and temp files (ours and others'). */
const IGNORED_FILE = /(?:^\.#|~$|\.sw[a-p]$|\.tmp$|\.temp$|\.lock$|\.log$|^4913$|\.orig$|\.rej$)/;

export interface WatchInputs {
  projectRoot: string;
  /** Absolute paths of directories fixloop writes to (state, log): never watched. */
  ownDirs: readonly string[];
  /** Absolute paths of files fixloop writes to (state file, lock): never watched. */
  ownFiles: readonly string[];
  extensions: readonly string[];
  extraIgnore: readonly string[];
  readGitignore: ReadGitignore;
}

export interface ResolvedWatchOptions {
  /** Options for `chokidar.watch(projectRoot, options)`. */
  chokidar: ChokidarOptions;
  /**
   * The same decision for a single path (relative to the root, `/`), e.g. for events and
   * self-checks.
   */
  isWatched(relPath: string): boolean;
  matcher: GitignoreMatcher;
}

/**
 * Builds the ignore function and chokidar options. Directories are pruned on the path-only call.
 */
export function resolveWatchOptions(inputs: WatchInputs): ResolvedWatchOptions {
  const matcher = new GitignoreMatcher(inputs.readGitignore, inputs.extraIgnore);
  const extensions = new Set(inputs.extensions.map((e) => e.toLowerCase()));
  const ownDirs = inputs.ownDirs
    .map((d) => toRelative(inputs.projectRoot, d))
    .filter((d): d is string => d !== undefined && d !== '');
  const ownFiles = new Set(
    inputs.ownFiles
      .map((f) => toRelative(inputs.projectRoot, f))
      .filter((f): f is string => f !== undefined),
  );
  const isOwn = (rel: string) =>
    ownFiles.has(rel) || ownDirs.some((d) => rel === d || rel.startsWith(`${d}/`));

  /**
   * `isDir` undefined: chokidar's first, path-only call. A path ignored whatever its type is
   * pruned right there, so an ignored directory is never even stat-ed; one ignored only as a
   * directory (`build/`) is pruned on the second call, with stats, before it is walked.
   */
  const ignoredRel = (rel: string, isDir: boolean | undefined): boolean => {
    if (rel === '') return false;
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    if (ALWAYS_IGNORED_DIRS.has(name) || isOwn(rel)) return true;
    if (name.endsWith(TEMP_SUFFIX) || IGNORED_FILE.test(name)) return true;
    const parts = rel.split('/');
    if (isDir === undefined)
      return matcher.ignoresSelf(parts, true) && matcher.ignoresSelf(parts, false);
    if (matcher.ignoresSelf(parts, isDir)) return true;
    if (name === '.gitignore') return false; // seen so that its rules are reloaded, never a task
    return !isDir && !extensions.has(extname(name).toLowerCase());
  };

  const isWatched = (relPath: string): boolean => {
    const parts = relPath.split('/');
    for (let i = 1; i < parts.length; i++)
      if (ignoredRel(parts.slice(0, i).join('/'), true)) return false;
    return !relPath.endsWith('.gitignore') && !ignoredRel(relPath, false);
  };

  const ignored = (path: string, stats?: Stats): boolean => {
    const rel = toRelative(inputs.projectRoot, path);
    if (rel === undefined) return true;
    return ignoredRel(rel, stats ? stats.isDirectory() : undefined);
  };

  return {
    chokidar: {
      ignored,
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      // Editors that save by rename produce one `change`, not unlink + add.
      atomic: true,
      ignorePermissionErrors: true,
    },
    isWatched,
    matcher,
  };
}
