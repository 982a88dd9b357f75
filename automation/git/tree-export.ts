/**
 * A commit's files in a directory of their own, kept up to date incrementally through a private
 * index, with its submodules' files (from the checkout's own clones) and LFS content checked.
 * Nothing is registered in the repository (no worktree), and the developer's index, working tree
 * and HEAD are never touched.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Git, gitOk } from './git.js';
import { assertNoLfsPointers } from './lfs.js';
import { copySubmodules } from './submodules.js';

export interface TreeExport {
  /** The directory holding the commit's files. */
  readonly dir: string;
  /** The commit exported last, or undefined before the first export. */
  readonly commit: string | undefined;
  /**
   * Makes `dir` hold exactly `commit`'s tracked files (other files it holds are left alone);
   * throws a CopyError when the commit cannot be reproduced (a submodule, LFS content).
   */
  update(commit: string): Promise<void>;
}

/** An export of `repoRoot`'s commits under `cacheDir` (`tree/` and its private `index`). */
export function treeExport(git: Git, repoRoot: string, cacheDir: string): TreeExport {
  const dir = join(cacheDir, 'tree');
  let commit: string | undefined;
  let updating = Promise.resolve();
  return {
    dir,
    get commit() {
      return commit;
    },
    update(next) {
      // One update at a time: two `read-tree -u` on one index would race.
      updating = updating.then(async () => {
        if (commit === next) return;
        await mkdir(dir, { recursive: true });
        const env = { GIT_INDEX_FILE: join(cacheDir, 'index') };
        commit = undefined;
        await gitOk(git, [`--work-tree=${dir}`, 'read-tree', '--reset', '-u', next], {
          cwd: repoRoot,
          env,
        });
        const indexDir = join(cacheDir, 'modules');
        await copySubmodules(git, { checkout: repoRoot, commit: next, dir, indexDir });
        await assertNoLfsPointers(git, repoRoot, next, dir);
        commit = next;
      });
      const done = updating;
      // A failed update is this caller's answer; the next update starts afresh.
      updating = done.catch(() => {});
      return done;
    },
  };
}
