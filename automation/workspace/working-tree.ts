/**
 * The developer's working tree as a workspace: our writes are announced so the watcher drops them.
 */
import { dirname, join } from 'node:path';
import type { TestChecker } from '../check/checker.js';
import type { Config } from '../config/config.js';
import { Sandbox } from '../fix/safety/sandbox.js';
import type { SelfWrites } from '../watch/self-writes.js';
import type { QuietPeriod } from './quiet-period.js';
import type { Workspace } from './workspace.js';

/** fixloop's own files inside the project (state, log, lock): never edited by a fix. */
export function ownPaths(config: Config): string[] {
  return [dirname(config.stateFile), config.logDir, config.lockFile];
}

/**
 * The working tree of `config.projectRoot`, tested by `checker`, writes announced to `selfWrites`.
 */
export function workingTree(
  config: Config,
  deps: { checker: TestChecker; selfWrites: SelfWrites; quiet?: QuietPeriod },
): Workspace {
  const sandbox = new Sandbox({
    root: config.projectRoot,
    ownPaths: ownPaths(config),
    allowTestEdits: config.fix.allowTestEdits,
    protect: config.fix.protect,
  });
  return {
    kind: 'working-tree',
    root: config.projectRoot,
    checker: deps.checker,
    sandbox,
    journalDir: join(dirname(config.stateFile), 'rollback'),
    ownWrite: (rel, data) => deps.selfWrites.remember(rel, data),
    ...(deps.quiet
      ? { untilQuiet: deps.quiet.untilQuiet.bind(deps.quiet) as Workspace['untilQuiet'] }
      : {}),
  };
}
