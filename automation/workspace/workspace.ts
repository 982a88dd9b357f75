/**
 * The workspace seam: where the fix engine reads, writes and runs tests. The developer's working
 * tree is one (its own writes announced to the watcher, the user's edits win); an isolated git
 * worktree for a work order is another. Planner, providers, safety rules and checker take the
 * root and the rules from here, never from the global configuration.
 */
import type { CommitBaseline } from '../check/baseline/commit-baseline.js';
import type { TestChecker } from '../check/checker.js';
import type { Sandbox } from '../fix/safety/sandbox.js';

export interface Workspace {
  /** `working-tree`: the developer's checkout; `worktree`: an isolated git worktree. */
  readonly kind: 'working-tree' | 'worktree';
  /** Absolute root; every path the engine records is relative to it, with `/`. */
  readonly root: string;
  /** Runs the project's tests in this root. */
  readonly checker: TestChecker;
  /** A worktree's base commit, where its tests can also be run (the order's proof). */
  readonly base?: CommitBaseline;
  /** What fixes may read and write here. */
  readonly sandbox: Sandbox;
  /** Where attempts journal their snapshots (undone after a crash). */
  readonly journalDir: string;
  /** Told before each write or restore of ours (`null`: a delete), path relative to the root. */
  ownWrite(rel: string, data: string | Buffer | null): void;
  /**
   * Resolves when a fix may write here: in the working tree, once the developer has saved nothing
   * for FIX_QUIET_SECONDS (`onWait` is called if it has to wait). Absent: never waits.
   */
  untilQuiet?(signal: AbortSignal, onWait: () => void): Promise<void>;
}
