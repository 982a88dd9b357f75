/** What a test-runner adapter provides: how to run a target, and how to read the result. */
import type { RunResult } from './process-runner.js';
import type { Counts, FailingTest, VerdictStatus } from './verdict.js';

/** What to test: the changed files' related tests, or the whole suite. */
export interface CheckTarget {
  scope: 'related' | 'suite';
  /** Relative to PROJECT_ROOT, with `/`. Empty for the suite. */
  files: string[];
}

export interface Invocation {
  file: string;
  args: string[];
  /** Report file the runner writes (removed afterwards). */
  reportFile?: string;
  /** Nothing to run (e.g. no test module matches a Python file): the verdict is `no_tests`. */
  skip?: string;
}

export interface Reading {
  status: VerdictStatus;
  counts: Counts;
  failures: FailingTest[];
}

export interface RunnerContext {
  root: string;
  /** A fresh path for a report file. */
  tempFile(ext: string): string;
}

export interface RunnerAdapter {
  readonly name: string;
  invocation(target: CheckTarget, ctx: RunnerContext): Promise<Invocation> | Invocation;
  read(result: RunResult, report: string | undefined, ctx: RunnerContext): Reading;
}

/** A reading for a run that did not produce a usable report. */
export function unreadable(result: RunResult, why: string): Reading {
  return {
    status: 'error',
    counts: { passed: 0, failed: 0, skipped: 0, total: 0 },
    failures: [
      {
        name: 'test run',
        file: null,
        message: result.spawnError ?? why,
        excerpt: result.output.slice(-1500),
      },
    ],
  };
}
