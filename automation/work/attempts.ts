/**
 * A work order's attempts: each applies the plan in the worktree and runs the related tests of the
 * files it changed; a failed one is rolled back byte for byte and the next is told why.
 */
import type { CheckTarget } from '../check/runner.js';
import type { Verdict } from '../check/verdict.js';
import type { Plan } from '../claude/plan.js';
import type { UsageTotals } from '../claude/usage.js';
import { type AttemptsDeps, attemptUntilPassed } from '../fix/attempts.js';
import type { Attempt, Task } from '../store/schema.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Verification } from './verification.js';
import { workJudge } from './verify.js';

export type WorkAttemptsDeps = AttemptsDeps;

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
    flaky: [],
    exit_code: null,
    duration_ms: 0,
    output_excerpt: '',
    summary: 'no test has run yet',
  };
}

/** The tests an attempt runs: those related to every file it changed (new tests included). */
export const workTarget = (edited: readonly string[]): CheckTarget => ({
  scope: 'related',
  files: [...edited],
});

export type WorkAttemptsResult =
  | {
      kind: 'passed';
      attempts: Attempt[];
      verdict: Verdict;
      edited: string[];
      verification: Verification | undefined;
    }
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
    /** WORK_REQUIRE_TESTS. */
    requireTests: boolean;
  },
): Promise<WorkAttemptsResult> {
  const { task, workspace } = input;
  const attempts: Attempt[] = [];
  const earlier: string[] = [];
  const progress = { attempts, current: notYetRun(workspace.checker.runnerName), earlier };
  try {
    const passed = await attemptUntilPassed(
      deps,
      {
        ...input,
        target: workTarget,
        judge: workJudge({ workspace, requireTests: input.requireTests }),
        baseline: new Map(),
      },
      progress,
      { who: 'Worker', what: `work order ${task.id}`, failed: (m) => `✗ ${m}` },
    );
    // Kept: the worktree is thrown away after the commit, so there is nothing to undo later.
    await passed.snapshot.discard();
    const edited = passed.record.edited_files;
    const verification = passed.proof as Verification | undefined;
    return { kind: 'passed', attempts, verdict: passed.verdict, edited, verification };
  } catch (error) {
    return { kind: 'failed', attempts, error, verdict: progress.current };
  }
}
