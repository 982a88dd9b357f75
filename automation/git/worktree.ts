/**
 * Work orders' git worktrees: one per order, detached at its base commit, outside the project.
 * Only `.git/worktrees` and refs of our own (`fixloop/*` branches) change in the repository; the
 * developer's working tree, index, HEAD and current branch are never touched.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { type Git, gitOk } from './git.js';
import { copySubmodules } from './submodules.js';

export interface WorktreesOptions {
  git: Git;
  /** The repository's top-level folder (the developer's checkout). */
  repoRoot: string;
  /** Folder holding this repository's worktrees (created on demand). */
  dir: string;
}

/** The worktrees of one repository's work orders. */
export class Worktrees {
  /**
   * Parallel workers' git operations on the shared repository (worktree add/remove/prune, pushes)
   * run one at a time: git's own locks would make a second one fail, not wait.
   */
  readonly serial = pLimit(1);

  constructor(private readonly options: WorktreesOptions) {}

  /** Where the worktree of `taskId` lives. */
  pathOf(taskId: string): string {
    return join(this.options.dir, taskId);
  }

  /** A fresh worktree for `taskId`, detached at `commit` (a leftover one is removed first). */
  create(taskId: string, commit: string): Promise<string> {
    return this.serial(() => this.createNow(taskId, commit));
  }

  private async createNow(taskId: string, commit: string): Promise<string> {
    const path = this.pathOf(taskId);
    await this.removeNow(taskId);
    await mkdir(this.options.dir, { recursive: true });
    await gitOk(this.options.git, ['worktree', 'add', '--detach', '--quiet', path, commit], {
      cwd: this.options.repoRoot,
    });
    // `git worktree add` leaves submodules empty: filled from the checkout's clones, no network.
    const indexDir = `${path}.modules`;
    try {
      await copySubmodules(this.options.git, {
        checkout: this.options.repoRoot,
        commit,
        dir: path,
        indexDir,
      });
    } catch (error) {
      await this.removeNow(taskId);
      throw error;
    }
    return path;
  }

  /** Removes the worktree of `taskId` (its files and its registration); never throws. */
  remove(taskId: string): Promise<void> {
    return this.serial(() => this.removeNow(taskId));
  }

  private async removeNow(taskId: string): Promise<void> {
    const path = this.pathOf(taskId);
    const cwd = this.options.repoRoot;
    await this.options.git.run(['worktree', 'remove', '--force', '--force', path], { cwd });
    // The worktree and its siblings: the attempts' journal, the base's export, submodule indexes.
    for (const dir of [path, `${path}.journal`, `${path}.base`, `${path}.modules`])
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    await this.options.git.run(['worktree', 'prune'], { cwd });
  }

  /**
   * Removes every worktree in the folder except `keep` (orders still running), then prunes git's
   * registrations of worktrees whose folder is gone. Returns the task ids removed.
   */
  pruneStale(keep: ReadonlySet<string> = new Set()): Promise<string[]> {
    return this.serial(() => this.pruneNow(keep));
  }

  private async pruneNow(keep: ReadonlySet<string>): Promise<string[]> {
    const names = await readdir(this.options.dir).catch(() => [] as string[]);
    const ids = names.map((n) => /^(task_[0-9a-f]{8})(\.\w+)?$/.exec(n)?.[1]);
    const stale = [...new Set(ids)].filter((id): id is string => !!id && !keep.has(id));
    for (const id of stale) await this.removeNow(id);
    await this.options.git.run(['worktree', 'prune'], { cwd: this.options.repoRoot });
    return stale;
  }

  /** Paths of the worktrees git has registered for this repository (the main one excluded). */
  async registered(): Promise<string[]> {
    const out = await gitOk(this.options.git, ['worktree', 'list', '--porcelain'], {
      cwd: this.options.repoRoot,
    });
    return out
      .split('\n')
      .filter((l) => l.startsWith('worktree '))
      .map((l) => l.slice('worktree '.length))
      .slice(1);
  }
}
