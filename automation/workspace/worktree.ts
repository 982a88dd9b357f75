/**
 * A work order's git worktree as a workspace: checked against its base commit, writable only
 * within it, with nobody else editing (no quiet period, no self-write announcements).
 */

import { join, relative } from 'node:path';
import type { CopyOf } from '../check/baseline/baseline.js';
import { CommitBaseline } from '../check/baseline/commit-baseline.js';
import type { TestChecker } from '../check/checker.js';
import { KnownFailureJudge } from '../check/known-failures.js';
import type { Config } from '../config/config.js';
import { Sandbox } from '../fix/safety/sandbox.js';
import type { Git } from '../git/git.js';
import type { Logger } from '../log/logger.js';
import type { Workspace } from './workspace.js';

export interface WorktreeDeps {
  git: Git;
  logger: Logger;
  /** A plain checker for a copy of the project rooted at `root`. */
  checkerFor: (root: string, copyOf?: CopyOf) => TestChecker;
}

/**
 * The worktree at `root`, made from `base`; `baseFiles` are the files tracked there (a test file
 * not among them is the order's own, and may be written).
 */
export function worktreeWorkspace(
  config: Config,
  deps: WorktreeDeps,
  input: {
    root: string;
    base: string;
    baseFiles: ReadonlySet<string>;
    /** The developer's checkout (repository root), which the order's tests must not read. */
    source: string;
    /** The worktree's folder (its repository root). */
    worktree: string;
  },
): Workspace {
  const sandbox = new Sandbox({
    root: input.root,
    ownPaths: [],
    allowTestEdits: config.fix.allowTestEdits,
    protect: config.fix.protect,
    isNew: (rel) => !input.baseFiles.has(rel),
    // An order may add tests to an existing test file, never take one away or loosen it.
    additiveTests: true,
  });
  // "No test that passed at the base fails": failures are compared with a run at the base.
  const baseline = new CommitBaseline({
    git: deps.git,
    projectRoot: input.root,
    // Its own export (the working tree's baseline moves with HEAD meanwhile).
    cacheDir: `${input.root}.base`,
    commit: async () => input.base,
    checkerFor: deps.checkerFor,
  });
  return {
    kind: 'worktree',
    base: baseline,
    root: input.root,
    checker: new KnownFailureJudge(
      deps.checkerFor(input.root, { source: input.source, copy: input.worktree }),
      baseline,
      deps.logger,
      config.test.flakyReruns,
    ),
    sandbox,
    journalDir: `${input.root}.journal`,
    ownWrite: () => {},
  };
}

/**
 * The workspace of an order whose worktree is `prepared`: rooted at PROJECT_ROOT's counterpart in
 * it (a project inside a monorepo), with the base's files relative to that root.
 */
export function orderWorkspace(
  config: Config,
  deps: WorktreeDeps & { repoRoot: string },
  prepared: { worktree: string; base: string; baseFiles: ReadonlySet<string> },
): Workspace {
  const inRepo = relative(deps.repoRoot, config.projectRoot);
  const root = join(prepared.worktree, inRepo);
  const baseFiles = new Set([...prepared.baseFiles].map((f) => relative(inRepo, f)));
  const where = { root, base: prepared.base, baseFiles, source: deps.repoRoot };
  return worktreeWorkspace(config, deps, { ...where, worktree: prepared.worktree });
}
