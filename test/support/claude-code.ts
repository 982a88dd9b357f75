/**
 * One claude-code attempt run directly (no fix loop): the real Claude Code CLI, or a stand-in,
 * against the fake Anthropic server, in a temp project.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { claudeCodeEnv } from '../../automation/app/fix-loop.js';
import { emptyTotals, UsageMeter } from '../../automation/claude/usage.js';
import { systemClock } from '../../automation/clock.js';
import { loadConfig } from '../../automation/config/load.js';
import {
  ClaudeCodeFixer,
  type ClaudeCodeOptions,
} from '../../automation/fix/providers/claude-code/fixer.js';
import { FileGuard } from '../../automation/fix/safety/guard.js';
import { Sandbox } from '../../automation/fix/safety/sandbox.js';
import { AttemptSnapshot } from '../../automation/fix/safety/snapshot.js';
import { fakeAnthropic } from './fake-anthropic.js';
import { TEST_KEY } from './fix-harness.js';
import { tempDir } from './tmp.js';

/** The real Claude Code CLI (a devDependency). */
export const CLAUDE = fileURLToPath(new URL('../../node_modules/.bin/claude', import.meta.url));

/** A project holding `value.js`, a fake API, and `attempt()` running one attempt on it. */
export async function directAttempt(options: Partial<ClaudeCodeOptions> = {}) {
  const root = tempDir();
  writeFileSync(join(root, 'value.js'), 'const value = "private-content";\n');
  const fake = await fakeAnthropic();
  const config = loadConfig({
    cwd: root,
    env: {
      ANTHROPIC_API_KEY: TEST_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      HOME: tempDir('fixloop-home-'),
      PATH: process.env.PATH ?? '',
    },
  });
  const fixer = new ClaudeCodeFixer({
    cliPath: CLAUDE,
    model: 'claude-sonnet-5-5',
    env: claudeCodeEnv(config),
    usage: new UsageMeter(systemClock, 10),
    secrets: [],
    maxTurns: 5,
    maxBudgetUsd: () => 1,
    ...options,
  });
  const guard = new FileGuard({
    sandbox: new Sandbox({ root, ownPaths: [], allowTestEdits: false, protect: [] }),
    snapshot: new AttemptSnapshot(),
    onOwnWrite: () => {},
  });
  const plan = { summary: 's', root_cause: 'r', steps: ['x'], files: ['value.js'], confidence: 1 };
  const failure = {
    passed: false,
    summary: 'failed',
    failures: [],
    runner: 'custom',
    scope: 'related',
    durationMs: 1,
  } as never;
  const attempt = (signal = new AbortController().signal) =>
    fixer.apply(
      {
        task: { id: 'task_x', file_path: 'value.js' } as never,
        plan,
        failure,
        attempt: 1,
        maxAttempts: 1,
        earlierFailures: [],
        root,
      },
      guard,
      signal,
      emptyTotals(),
    );
  return { root, fake, attempt };
}
