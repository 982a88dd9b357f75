/**
 * Builds the working tree's checker: the project's runners, judged against HEAD (or the last run).
 */
import { join } from 'node:path';
import { workingTreeBaseline } from '../check/baseline/working-tree-baseline.js';
import { Checker, type TestChecker } from '../check/checker.js';
import { detectSetups } from '../check/detect.js';
import { KnownFailureJudge } from '../check/known-failures.js';
import { nodeProcessRunner } from '../check/process-runner.js';
import type { Config } from '../config/config.js';
import type { CoreDeps } from '../daemon/seams.js';
import { createGit } from '../git/git.js';

/** A plain checker for a copy of the project rooted at `root` (the working tree, an export…). */
export function checkerFor(config: Config, root: string): Checker {
  return new Checker({
    root,
    setups: detectSetups(root, config.test.command),
    processRunner: nodeProcessRunner,
    timeoutMs: config.test.timeoutMs,
    env: config.childEnv,
  });
}

/** The working tree's checker, whose verdicts set known failures apart. */
export function workingTreeChecker(
  config: Config,
  deps: Pick<CoreDeps, 'store' | 'clock' | 'logger'>,
): TestChecker {
  const baseline = workingTreeBaseline({
    ...deps,
    git: createGit(config.childEnv),
    projectRoot: config.projectRoot,
    cacheDir: join(config.cacheDir, 'base'),
    checkerFor: (root) => checkerFor(config, root),
  });
  return new KnownFailureJudge(checkerFor(config, config.projectRoot), baseline, deps.logger);
}
