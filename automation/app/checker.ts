/**
 * Builds the working tree's checker: the project's runners, judged against HEAD (or the last run).
 */
import { join } from 'node:path';
import type { CopyOf } from '../check/baseline/baseline.js';
import { workingTreeBaseline } from '../check/baseline/working-tree-baseline.js';
import { Checker, type TestChecker } from '../check/checker.js';
import { detectSetups } from '../check/detect.js';
import { copyIsolation } from '../check/instrument/isolation.js';
import { KnownFailureJudge } from '../check/known-failures.js';
import { nodeProcessRunner } from '../check/process-runner.js';
import { WarmRunners } from '../check/warm/warm-runners.js';
import type { Config } from '../config/config.js';
import type { CoreDeps } from '../daemon/seams.js';
import { fixloopPackage } from '../fs/package-root.js';
import { createGit } from '../git/git.js';
import type { Logger } from '../log/logger.js';
import { type SandboxFor, sandboxedRunner, type Wrap } from '../sandbox/runner.js';

/**
 * A plain checker for the project rooted at `root`: the working tree, or a copy of it (an export,
 * a worktree: `copyOf` names it, and its runs are isolated from the checkout and traced).
 */
export function checkerFor(
  config: Config,
  root: string,
  options: {
    warm?: WarmRunners | undefined;
    copyOf?: CopyOf | undefined;
    /** Runs the tests in the sandbox, `root` writable. */
    sandbox?: SandboxFor | undefined;
  } = {},
): Checker {
  const { warm, copyOf, sandbox } = options;
  const wrap = sandbox?.(root);
  return new Checker({
    root,
    setups: detectSetups(root, config.test.command),
    processRunner: wrap ? sandboxedRunner(nodeProcessRunner, wrap) : nodeProcessRunner,
    sandboxed: !!wrap,
    timeoutMs: config.test.timeoutMs,
    env: config.childEnv,
    ...(warm ? { warm } : {}),
    ...(copyOf
      ? {
          isolation: copyIsolation({
            ...copyOf,
            instrumentDir: join(config.cacheDir, 'instrument'),
          }),
        }
      : {}),
  });
}

/** The child script warm runners start (built to dist/). */
export const warmChildScript = () => join(fixloopPackage().root, 'dist/check/warm/child.js');

/** Warm vitest and jest runners for the working tree, unless WARM_RUNNER=false (sandboxed). */
export function warmRunners(
  config: Config,
  logger: Logger,
  onGiveUp?: (message: string) => void,
  wrap?: Wrap,
): WarmRunners | undefined {
  if (!config.test.warm) return undefined;
  return new WarmRunners({
    env: config.childEnv,
    script: warmChildScript(),
    maxRssBytes: config.test.warmMaxBytes,
    logger,
    ...(onGiveUp ? { onGiveUp } : {}),
    ...(wrap ? { wrap } : {}),
  });
}

/** The working tree's checker, whose verdicts set known failures apart. */
export function workingTreeChecker(
  config: Config,
  deps: Pick<CoreDeps, 'store' | 'clock' | 'logger'> & {
    /** Told when the warm runner gives up for the session (the console says so once). */
    say?: (message: string) => void;
    /** Runs test processes in the sandbox (the warm runner too). */
    sandbox?: SandboxFor | undefined;
  },
): TestChecker {
  const baseline = workingTreeBaseline({
    ...deps,
    git: createGit(config.childEnv),
    projectRoot: config.projectRoot,
    cacheDir: join(config.cacheDir, 'base'),
    checkerFor: (root, copyOf) => checkerFor(config, root, { copyOf, sandbox: deps.sandbox }),
  });
  const warm = warmRunners(config, deps.logger, deps.say, deps.sandbox?.(config.projectRoot));
  const checker = checkerFor(config, config.projectRoot, { warm, sandbox: deps.sandbox });
  return new KnownFailureJudge(checker, baseline, deps.logger, config.test.flakyReruns);
}
