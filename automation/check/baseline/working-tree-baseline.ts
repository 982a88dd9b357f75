/**
 * The working tree's baseline: HEAD in a git repository with a commit, the previous run otherwise.
 */
import type { Clock } from '../../clock.js';
import { type Git, headCommit } from '../../git/git.js';
import type { StateStore } from '../../store/store.js';
import type { TestChecker } from '../checker.js';
import type { CheckTarget } from '../runner.js';
import type { Verdict } from '../verdict.js';
import type { Baseline, BaselineAnswer, CopyOf, Settled } from './baseline.js';
import { CommitBaseline } from './commit-baseline.js';
import { HistoryBaseline } from './history-baseline.js';

export interface WorkingTreeBaselineDeps {
  git: Git;
  projectRoot: string;
  cacheDir: string;
  store: StateStore;
  clock: Clock;
  checkerFor: (root: string, copyOf: CopyOf) => TestChecker;
}

export function workingTreeBaseline(deps: WorkingTreeBaselineDeps): Baseline {
  const head = () => headCommit(deps.git, deps.projectRoot);
  const atHead = new CommitBaseline({ ...deps, commit: head });
  const history = new HistoryBaseline(deps);
  return {
    async known(
      verdict: Verdict,
      target: CheckTarget,
      signal?: AbortSignal,
    ): Promise<BaselineAnswer> {
      return (await head())
        ? atHead.known(verdict, target, signal)
        : history.known(verdict, target);
    },
    async remember(verdict: Verdict, settled: Settled): Promise<void> {
      if (!(await head())) await history.remember(verdict, settled);
    },
  };
}
