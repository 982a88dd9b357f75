/**
 * A commit's files in a directory of their own, kept up to date incrementally through a private
 * index. Nothing is registered in the repository (no worktree), and the developer's index,
 * working tree and HEAD are never touched.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Git, gitOk } from './git.js';

export interface TreeExport {
  /** The directory holding the commit's files. */
  readonly dir: string;
  /** The commit exported last, or undefined before the first export. */
  readonly commit: string | undefined;
  /** Makes `dir` hold exactly `commit`'s tracked files (other files it holds are left alone). */
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
        await gitOk(git, [`--work-tree=${dir}`, 'read-tree', '--reset', '-u', next], {
          cwd: repoRoot,
          env,
        });
        commit = next;
      });
      return updating;
    },
  };
}
