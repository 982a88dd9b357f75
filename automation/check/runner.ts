/** What a test-runner adapter provides: how to run a target, and how to read the result. */
import type { RunResult } from './process-runner.js';
import { cleanExcerpt } from './reports/failure-text.js';
import { type Counts, type FailingTest, stripAnsi, type VerdictStatus } from './verdict.js';

/**
 * What to test: the tests related to changed files (by the runner's import graph), these test
 * files themselves, or the whole suite.
 */
export interface CheckTarget {
  scope: 'related' | 'files' | 'suite';
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
  /**
   * The scope really run, when it differs from the target's (pytest runs the suite when no module
   * matches).
   */
  scope?: CheckTarget['scope'];
}

export interface Reading {
  status: VerdictStatus;
  counts: Counts;
  failures: FailingTest[];
  /** Test files that ran, relative to the project root, when the report says. */
  testFiles?: string[];
  /** Tests that passed (`file > name`), when the report says. */
  passedTests?: string[];
}

export interface RunnerContext {
  /** The project root: paths in verdicts are relative to it. */
  root: string;
  /** Where the runner runs: the package that owns the files (the root, or a workspace package). */
  cwd: string;
  /** Flags from the project's own test script that scope the run (e.g. `--project 'unit*'`). */
  scriptArgs: readonly string[];
  /** A fresh path for a report file. */
  tempFile(ext: string): string;
  /** The environment tests run in (for probes of the runner, too). */
  env: NodeJS.ProcessEnv;
  /** Where the run's progress goes (instrument/progress.ts), when it is followed. */
  progressFile?: string;
}

export interface RunnerAdapter {
  readonly name: string;
  /** `target.files` are relative to `ctx.cwd` here. */
  invocation(target: CheckTarget, ctx: RunnerContext): Promise<Invocation> | Invocation;
  read(result: RunResult, report: string | undefined, ctx: RunnerContext): Reading;
}

/** A path argument that can never be read as an option (a file named `-t.js`). */
export const asPathArg = (file: string) => (file.startsWith('-') ? `./${file}` : file);

/** A line that says what went wrong (`TypeError: …`, `error: …`, a `process.exit` call). */
const CAUSE = /\b(?:[A-Z]\w*Error\b|error:|process\.exit called with)/;

/**
 * The last meaningful lines of a run's output, on one line (for a failure's message), led by the
 * first line that names an error when the tail does not (a code frame often ends the output).
 */
export function outputTail(output: string, lines = 4): string {
  const meaningful = stripAnsi(output)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^at\s/.test(l));
  const tail = meaningful.slice(-lines);
  const cause = meaningful.find((l) => CAUSE.test(l));
  return (cause && !tail.includes(cause) ? [cause, '…', ...tail] : tail).join(' | ');
}

/** A reading for a run that did not produce a usable report: its output's tail is the cause. */
export function unreadable(result: RunResult, why: string): Reading {
  const tail = outputTail(result.output);
  const message = result.spawnError ?? (tail ? `${why}; its output ended: ${tail}` : why);
  return {
    status: 'error',
    counts: { passed: 0, failed: 0, skipped: 0, total: 0 },
    failures: [
      { name: 'test run', file: null, message, excerpt: cleanExcerpt(result.output.slice(-3000)) },
    ],
  };
}
