/**
 * A work order's attempts: each applies the plan in the worktree and runs the related tests of the
 * files it changed; a failed one is rolled back byte for byte and the next is told why.
 */
import pRetry, { AbortError } from 'p-retry';
import type { CheckTarget } from '../check/runner.js';
import type { Verdict } from '../check/verdict.js';
import type { Plan } from '../claude/plan.js';
import type { UsageTotals } from '../claude/usage.js';
import type { Config } from '../config/config.js';
import { type AttemptDeps, runAttempt } from '../fix/attempt.js';
import { AttemptFailedError, CostCapError } from '../fix/errors.js';
import type { Attempt, Task } from '../store/schema.js';
import type { Workspace } from '../workspace/workspace.js';

export interface WorkAttemptsDeps extends AttemptDeps {
  fix: Config['fix'];
  /** Null while under the hourly cap; otherwise the sentence saying so. */
  capMessage: () => string | null;
}

/** The verdict an order starts from: nothing run yet. */
export function notYetRun(runner: string | undefined): Verdict {
  return {
    status: 'no_tests',
    passed: true,
    runner: runner ?? 'unknown',
    scope: 'related',
    files: [],
    command: '',
    counts: { passed: 0, failed: 0, skipped: 0, total: 0 },
    failures: [],
    known_failures: [],
    exit_code: null,
    duration_ms: 0,
    output_excerpt: '',
    summary: 'not run yet (a work order)',
  };
}

/** The tests an attempt runs: those related to every file it changed (new tests included). */
export const workTarget = (edited: readonly string[]): CheckTarget => ({
  scope: 'related',
  files: [...edited],
});

export type WorkAttemptsResult =
  | { kind: 'passed'; attempts: Attempt[]; verdict: Verdict; edited: string[] }
  | { kind: 'failed'; attempts: Attempt[]; error: unknown; verdict: Verdict };

/** Runs attempts until one passes, or the retries, the cap or the stop signal end them. */
export async function workAttempts(
  deps: WorkAttemptsDeps,
  input: {
    task: Task;
    plan: Plan;
    workspace: Workspace;
    usage: UsageTotals;
    signal: AbortSignal;
    step: (name: string) => void;
  },
): Promise<WorkAttemptsResult> {
  const { task, workspace } = input;
  const attempts: Attempt[] = [];
  const earlier: string[] = [];
  const max = deps.fix.maxRetries + 1;
  let current = notYetRun(workspace.checker.runnerName);
  try {
    const passed = await pRetry(
      async (n) => {
        const capped = deps.capMessage();
        if (capped) throw new AbortError(new CostCapError(capped));
        deps.console.line('Worker', `Attempt ${n}/${max} for work order ${task.id}`);
        const result = await runAttempt(deps, {
          ...input,
          n,
          max,
          failure: current,
          target: workTarget,
          earlier,
          baseline: new Map(),
        });
        attempts.push(result.record);
        if (result.kind === 'passed') return result;
        if (result.kind === 'stopped') throw new AbortError(result.error);
        earlier.push(result.note);
        current = result.verdict;
        throw new AttemptFailedError(result.verdict);
      },
      {
        retries: deps.fix.maxRetries,
        factor: 2,
        minTimeout: deps.fix.retryMinDelayMs,
        maxTimeout: deps.fix.retryMaxDelayMs,
        randomize: true,
        signal: input.signal,
        onFailedAttempt: ({ error, retriesLeft }) =>
          deps.console.line('Worker', `✗ ${error.message}${retriesLeft ? '; retrying' : ''}`),
      },
    );
    // Kept: the worktree is thrown away after the commit, so there is nothing to undo later.
    await passed.snapshot.discard();
    const edited = passed.record.edited_files;
    return { kind: 'passed', attempts, verdict: passed.verdict, edited };
  } catch (error) {
    return { kind: 'failed', attempts, error, verdict: current };
  }
}
