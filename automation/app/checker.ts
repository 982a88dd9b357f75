/**
 * Builds the working tree's checker: the project's runners, judged against HEAD (or the last run).
 */
import { join } from 'node:path';
import { workingTreeBaseline } from '../check/baseline/working-tree-baseline.js';
import { Checker, type TestChecker } from '../check/checker.js';
import { detectSetups } from '../check/detect.js';
import { KnownFailureJudge } from '../check/known-failures.js';
import { nodeProcessRunner } from '../check/process-runner.js';
import { WarmRunners } from '../check/warm/warm-runners.js';
import type { Config } from '../config/config.js';
import type { CoreDeps } from '../daemon/seams.js';
import { fixloopPackage } from '../fs/package-root.js';
import { createGit } from '../git/git.js';
import type { Logger } from '../log/logger.js';

/** A plain checker for a copy of the project rooted at `root` (the working tree, an export…). */
export function checkerFor(config: Config, root: string, warm?: WarmRunners): Checker {
  return new Checker({
    root,
    setups: detectSetups(root, config.test.command),
    processRunner: nodeProcessRunner,
    timeoutMs: config.test.timeoutMs,
    env: config.childEnv,
    ...(warm ? { warm } : {}),
  });
}

/** The child script warm runners start (built to dist/, like the Claude Code hook). */
export const warmChildScript = () => join(fixloopPackage().root, 'dist/check/warm/child.js');

/** Warm vitest runners for the working tree, unless WARM_RUNNER=false. */
export function warmRunners(
  config: Config,
  logger: Logger,
  onGiveUp?: (message: string) => void,
): WarmRunners | undefined {
  if (!config.test.warm) return undefined;
  return new WarmRunners({
    env: config.childEnv,
    script: warmChildScript(),
    maxRssBytes: config.test.warmMaxBytes,
    logger,
    ...(onGiveUp ? { onGiveUp } : {}),
  });
}

/** The working tree's checker, whose verdicts set known failures apart. */
export function workingTreeChecker(
  config: Config,
  deps: Pick<CoreDeps, 'store' | 'clock' | 'logger'> & {
    /** Told when the warm runner gives up for the session (the console says so once). */
    say?: (message: string) => void;
  },
): TestChecker {
  const baseline = workingTreeBaseline({
    ...deps,
    git: createGit(config.childEnv),
    projectRoot: config.projectRoot,
    cacheDir: join(config.cacheDir, 'base'),
    checkerFor: (root) => checkerFor(config, root),
  });
  const warm = warmRunners(config, deps.logger, deps.say);
  return new KnownFailureJudge(checkerFor(config, config.projectRoot, warm), baseline, deps.logger);
}
