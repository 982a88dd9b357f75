/**
 * An AutoFixer wired to the fake Anthropic server and a real sample project, for in-process fix
 * tests.
 */

import { buildFixLoop } from '../../automation/app/fix-loop.js';
import { Checker } from '../../automation/check/checker.js';
import { detectSetups } from '../../automation/check/detect.js';
import { nodeProcessRunner } from '../../automation/check/process-runner.js';
import type { Verdict } from '../../automation/check/verdict.js';
import { type Clock, systemClock } from '../../automation/clock.js';
import { loadConfig } from '../../automation/config/load.js';
import type { HeadlessProvider } from '../../automation/fix/providers/provider.js';
import { silentLogger } from '../../automation/log/logger.js';
import { DaemonConsole } from '../../automation/output/console.js';
import type { Task } from '../../automation/store/schema.js';
import { StateStore } from '../../automation/store/store.js';
import { enqueue, moveTask } from '../../automation/tasks/queue.js';
import { SelfWrites } from '../../automation/watch/self-writes.js';
import { workingTree } from '../../automation/workspace/working-tree.js';
import { fakeAnthropic } from './fake-anthropic.js';
import { type Fixture, makeProject } from './project.js';

/** A key shaped like a real one, to prove it never leaks. */
export const TEST_KEY = 'sk-ant-api03-TESTKEY-never-leak-0123456789abcdef';

export async function fixHarness(
  options: {
    fixture?: Fixture;
    root?: string;
    env?: Record<string, string>;
    provider?: HeadlessProvider;
    /** The fix loop's clock (breaker windows, spend): the system's unless a test drives it. */
    clock?: Clock;
  } = {},
) {
  const fake = await fakeAnthropic();
  const root = options.root ?? makeProject(options.fixture ?? 'vitest-project');
  const config = loadConfig({
    cwd: root,
    env: {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      MAX_RETRIES: '1',
      RETRY_MIN_DELAY_MS: '10',
      RETRY_MAX_DELAY_MS: '20',
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? '',
      ...options.env,
    },
  });
  const store = new StateStore({ file: config.stateFile, lockFile: config.lockFile });
  const lines: string[] = [];
  const console = new DaemonConsole({ write: (s: string) => lines.push(s) }, false);
  const checker = new Checker({
    root,
    setups: detectSetups(root, config.test.command),
    processRunner: nodeProcessRunner,
    timeoutMs: 60_000,
    env: config.childEnv,
  });
  const selfWrites = new SelfWrites(root, systemClock);
  const workspace = workingTree(config, { checker, selfWrites });
  const build = () =>
    buildFixLoop({
      config,
      store,
      clock: options.clock ?? systemClock,
      logger: silentLogger,
      console,
      runnerName: checker.runnerName,
      provider: options.provider,
    });
  const loop = build();
  if (!loop) throw new Error('fix loop not built');
  await loop.fixer.init(workspace);

  /**
   * Queues a task for `file` as the daemon would, moves it to in_progress, and returns it with its
   * failing verdict.
   */
  async function failingTask(file: string): Promise<{ task: Task; verdict: Verdict }> {
    const now = new Date().toISOString();
    const task = await store.update((s) =>
      moveTask(
        s,
        enqueue(s, { type: 'file_change', file_path: file, description: `${file} changed` }, now)
          .task.id,
        'in_progress',
        now,
      ),
    );
    const verdict = await checker.check({ scope: 'related', files: [file] });
    return { task, verdict };
  }

  const step = () => {};
  /** Fixes `task` in the working tree, as the daemon's task loop does. */
  const fix = (
    task: Task,
    verdict: Verdict,
    signal = new AbortController().signal,
    fixer = loop.fixer,
  ) => fixer.fix(task, verdict, { workspace, signal, step });
  return {
    fake,
    root,
    config,
    store,
    checker,
    fixer: loop.fixer,
    lines,
    failingTask,
    step,
    build,
    selfWrites,
    workspace,
    fix,
  };
}
