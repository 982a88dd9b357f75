/** A cold checker and one on a warm vitest runner for one project, plain or sandboxed. */
import { afterEach } from 'vitest';
import { warmChildScript } from '../../automation/app/checker.js';
import { Checker } from '../../automation/check/checker.js';
import { detectSetups } from '../../automation/check/detect.js';
import { nodeProcessRunner } from '../../automation/check/process-runner.js';
import { WarmRunners } from '../../automation/check/warm/warm-runners.js';
import type { Logger } from '../../automation/log/logger.js';
import { sandboxedRunner, type Wrap } from '../../automation/sandbox/runner.js';
import { isolationFor } from './sandbox.js';

/** `cold` runs vitest afresh, `hot` on `warm` (which the caller closes). */
export function coldAndWarm(
  root: string,
  options: { env: Record<string, string>; logger: Logger; wrap?: Wrap | undefined },
) {
  const { env, logger, wrap } = options;
  const warm = new WarmRunners({
    env,
    script: warmChildScript(),
    maxRssBytes: 2 ** 31,
    logger,
    ...(wrap ? { wrap } : {}),
  });
  const make = (w?: WarmRunners) =>
    new Checker({
      root,
      setups: detectSetups(root, undefined),
      processRunner: wrap ? sandboxedRunner(nodeProcessRunner, wrap) : nodeProcessRunner,
      timeoutMs: 60_000,
      env,
      ...(w ? { warm: w } : {}),
    });
  return { cold: make(), hot: make(warm), warm };
}

/** The environment warm-runner tests check in: no colours, CI, nothing from the shell. */
export const warmTestEnv = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? '',
  CI: 'true',
  NO_COLOR: '1',
};

/** coldAndWarm in `root` (sandboxed or plain), with what the warm runners logged. */
export function loggedCheckers(root: string, sandboxed = false) {
  const wrap = sandboxed ? isolationFor(root).tests(root) : undefined;
  const logged: string[] = [];
  const logger = {
    debug() {},
    error() {},
    info: (_: object, msg?: string) => logged.push(msg ?? ''),
    warn: (_: object, msg?: string) => logged.push(msg ?? ''),
  };
  return { ...coldAndWarm(root, { env: warmTestEnv, logger, wrap }), logged };
}

const open: WarmRunners[] = [];

/** `warm` is closed after the test, with the runners `checkers` made. */
export const closeLater = (warm: WarmRunners) => open.push(warm);

/** Closes every warm runner `checkers` made, after each test of the calling file. */
export function closeAfterEach(): void {
  afterEach(async () => {
    await Promise.all(open.splice(0).map((w) => w.close()));
  });
}

/** loggedCheckers whose warm runner is closed after the test (see closeAfterEach). */
export function checkers(root: string, sandboxed = false) {
  const made = loggedCheckers(root, sandboxed);
  open.push(made.warm);
  return made;
}
