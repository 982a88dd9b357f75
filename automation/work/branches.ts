/**
 * The branches work orders are delivered on, as the work stage moves them: read when an order
 * starts (it builds on someone else's commits found there), moved from that tip only, and pushed
 * with a lease on the tip seen on origin (git/branch-guard.ts).
 */
import type { Config } from '../config/config.js';
import {
  type BranchTips,
  deliveryStart,
  moveBranch,
  pushBranchLeased,
} from '../git/branch-guard.js';
import { type Git, headCommit } from '../git/git.js';
import type { Worktrees } from '../git/worktree.js';
import type { DaemonConsole } from '../output/console.js';
import type { Task } from '../store/schema.js';
import { branchOf, pushes } from './deliver.js';
import { WorkError } from './errors.js';
import type { OrderRun } from './order-run.js';

export interface OrderBranchesDeps {
  git: Git;
  repoRoot: string;
  worktrees: Worktrees;
  config: Config;
  console: DaemonConsole;
}

export class OrderBranches {
  /** Tips seen when each order started: its delivery moves the branch only from them. */
  private readonly tips = new Map<string, BranchTips>();

  constructor(private readonly deps: OrderBranchesDeps) {}

  /**
   * What `task` starts from: its parents' results, else its base or HEAD, on top of its branch
   * when that holds someone else's commits (a reviewer's fix-up is never lost).
   */
  async start(task: Task, parents: readonly string[], run: OrderRun): Promise<string[]> {
    const { git, repoRoot, config } = this.deps;
    const branch = branchOf(task);
    const push = !!run.push || pushes(config.work.push, task);
    const commits = parents.length || !run.base ? [...parents] : [run.base];
    const head = () => headCommit(git, repoRoot);
    const start = await deliveryStart(git, repoRoot, { branch, push, commits, head }).catch(
      (e: Error) => Promise.reject(new WorkError(e.message)),
    );
    this.tips.set(task.id, start.tips);
    if (start.onto) {
      const at = start.onto.slice(0, 7);
      this.deps.console.line(
        'Worker',
        `${task.id} builds on ${branch} (${at}), which holds commits of someone else`,
      );
    }
    return start.commits;
  }

  /** The tips seen when `task` started. */
  tipsOf(task: Task): BranchTips {
    const seen = this.tips.get(task.id);
    if (!seen) throw new WorkError(`the branch of ${task.id} was not read before its delivery`);
    return seen;
  }

  /** Moves `task`'s branch to `commit`, from the tip seen only. */
  move(task: Task, commit: string): Promise<void> {
    return moveBranch(this.deps.git, this.deps.repoRoot, this.tipsOf(task), commit);
  }

  /** Pushes `task`'s branch with a lease on origin's tip seen; null, or why not. */
  push(task: Task): Promise<string | null> {
    const tips = this.tipsOf(task);
    return this.deps.worktrees.serial(() =>
      pushBranchLeased(this.deps.git, this.deps.repoRoot, tips),
    );
  }

  /** Forgets `task`'s tips (it ended). */
  forget(task: Task): void {
    this.tips.delete(task.id);
  }
}
