/** The structured verdict of one test run, whatever the runner. */
import type { RunningTest } from './instrument/progress.js';

export type VerdictStatus = 'passed' | 'failed' | 'no_tests' | 'timeout' | 'error';

/** How many tests passed, failed and were skipped in one run. */
export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}

export interface FailingTest {
  name: string;
  /** Relative to PROJECT_ROOT, with `/`, when known. */
  file: string | null;
  /** First line of the failure, without colour codes. */
  message: string;
  /** Capped excerpt of the failure (stack, diff), without dependency stack frames. */
  excerpt: string;
  /** The assertion's expected value, when the runner reports it (as short text). */
  expected?: string;
  /** The value the code produced, when the runner reports it. */
  actual?: string;
  /** Set on a failure that passed when run again on the same tree (a flaky test). */
  flaky?: boolean;
  /** Where it failed in the test file, `file:line[:col]`, when the runner reports it. */
  location?: string;
  /** The line of the project's own code that threw, when the error came from there. */
  source?: string;
}

export interface Verdict {
  status: VerdictStatus;
  /** True for `passed` and `no_tests`: "no related tests" is not a failure. */
  passed: boolean;
  runner: string;
  /** `related`: tests related to the files; `files`: these test files; `suite`: every test. */
  scope: 'related' | 'files' | 'suite';
  files: string[];
  command: string;
  counts: Counts;
  /** Failures that are the change's: known failures are not among them. */
  failures: FailingTest[];
  /** Failures past MAX_JUDGED_FAILURES that the verdict does not list (it never passes then). */
  failures_omitted?: number;
  /** Failures that also failed before the change (at HEAD, or in the previous run). */
  known_failures: FailingTest[];
  /** Failures that passed when run again on the same tree: flaky, not the change's. */
  flaky: FailingTest[];
  /** Test files the run covered, when the runner says (relative, `/`). */
  test_files?: string[];
  /** Tests that passed (`file > name`), when the runner says (at most MAX_PASSED). */
  passed_tests?: string[];
  exit_code: number | null;
  duration_ms: number;
  /** Tail of the runner's output, capped. */
  output_excerpt: string;
  /** Run by a warm runner (a vitest or jest instance kept between checks). */
  warm?: boolean;
  /**
   * A run of a copy of the project (HEAD's export) that read these files from the developer's
   * checkout instead of the copy (relative, `/`): it did not test the copy.
   */
  foreign_reads?: string[];
  /** Why the failures could not be compared with the run before the change, when they could not. */
  baseline_error?: string;
  /** A run cut short (a timeout, a newer save): the tests it was still running. */
  running?: RunningTest[];
  /** One line, e.g. "1 failed, 4 passed (vitest, related, 812 ms)". */
  summary: string;
}

/** Failures a record of a verdict keeps (test_results, a task's lists). */
export const MAX_FAILURES = 20;
/**
 * Failures a verdict holds while it is judged: every one must be compared with the baseline and
 * the re-run, or a new failure past the first few could be hidden among known ones.
 */
export const MAX_JUDGED_FAILURES = 1000;
/** Passed tests a verdict names at most (enough for the tests an order adds). */
export const MAX_PASSED = 500;
export const MAX_EXCERPT = 1500;
export const MAX_OUTPUT_EXCERPT = 4000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every colour code.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Removes terminal colour codes. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Caps text to `max` characters, keeping the start. */
export function cap(text: string, max: number): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}… [${text.length - max} more characters]`;
}

/** Caps text to `max` characters, keeping the end (where runners print their summary). */
export function capTail(text: string, max: number): string {
  return text.length <= max
    ? text
    : `[${text.length - max} earlier characters] …${text.slice(text.length - max)}`;
}

/** A verdict as a runner produced it, before `finishVerdict` derives the rest. */
export type VerdictDraft = Omit<Verdict, 'passed' | 'summary' | 'known_failures' | 'flaky'> & {
  known_failures?: FailingTest[];
  flaky?: FailingTest[];
};

function summaryOf(
  v: VerdictDraft & { known_failures: FailingTest[]; flaky: FailingTest[] },
): string {
  const c = v.counts;
  const flaky = v.flaky.length;
  const known = v.known_failures.length;
  const parts: string[] = [];
  if (v.status === 'timeout') parts.push('timed out');
  else if (v.status === 'error') {
    parts.push(
      v.failures[0]?.message ? `could not run: ${v.failures[0].message}` : 'the runner failed',
    );
  } else if (v.status === 'no_tests') parts.push('no related tests');
  else {
    const failedTests = Math.max(0, c.failed - known - flaky);
    if (failedTests) parts.push(`${failedTests} failed`);
    else if (v.status === 'failed') {
      parts.push(`failed to run${v.failures[0] ? `: ${v.failures[0].message}` : ''}`);
    }
    if (known) parts.push(`${known} known failure${known === 1 ? '' : 's'}`);
    if (flaky) parts.push(`${flaky} flaky`);
    parts.push(`${c.passed} passed`);
    if (c.skipped) parts.push(`${c.skipped} skipped`);
  }
  const runner = v.warm ? `${v.runner} warm` : v.runner;
  return `${parts.join(', ')} (${runner}, ${v.scope}, ${v.duration_ms} ms)`;
}

const capFailure = (f: FailingTest): FailingTest => ({
  ...f,
  message: cap(f.message, 500),
  excerpt: cap(f.excerpt, MAX_EXCERPT),
});

/** Completes a verdict: derived `passed`, capped lists and the summary line. */
export function finishVerdict(draft: VerdictDraft): Verdict {
  const v = { ...draft, known_failures: draft.known_failures ?? [], flaky: draft.flaky ?? [] };
  const omitted =
    (draft.failures_omitted ?? 0) + Math.max(0, v.failures.length - MAX_JUDGED_FAILURES);
  return {
    ...v,
    passed: v.status === 'passed' || v.status === 'no_tests',
    failures: v.failures.slice(0, MAX_JUDGED_FAILURES).map(capFailure),
    ...(omitted ? { failures_omitted: omitted } : {}),
    known_failures: v.known_failures.slice(0, MAX_JUDGED_FAILURES).map(capFailure),
    flaky: v.flaky.slice(0, MAX_JUDGED_FAILURES).map(capFailure),
    output_excerpt: capTail(stripAnsi(v.output_excerpt), MAX_OUTPUT_EXCERPT),
    summary: summaryOf(v),
  };
}

/**
 * The verdict with `aside` (failures that were already there, or `as: 'flaky'` ones that passed
 * when run again) set apart: they no longer count against the change, and a run whose only
 * failures are set aside passes.
 */
export function withKnownFailures(
  verdict: Verdict,
  aside: readonly FailingTest[],
  as: 'known' | 'flaky' = 'known',
): Verdict {
  if (aside.length === 0) return verdict;
  const match = (f: FailingTest) => aside.find((k) => k.name === f.name && k.file === f.file);
  const failures = verdict.failures.filter((f) => !match(f));
  // A run in which nothing could run never passes, even if it broke the same way before; nor
  // one with failures the verdict could not list (none of them was compared).
  const nothingRan = verdict.counts.total === 0 && verdict.counts.passed === 0;
  const unlisted = (verdict.failures_omitted ?? 0) > 0;
  const status = failures.length === 0 && !nothingRan && !unlisted ? 'passed' : verdict.status;
  const { passed: _passed, summary: _summary, ...draft } = verdict;
  const moved = verdict.failures.filter((f) => match(f));
  return finishVerdict({
    ...draft,
    status,
    failures,
    ...(as === 'known'
      ? { known_failures: [...verdict.known_failures, ...moved] }
      : { flaky: [...verdict.flaky, ...moved.map((f) => ({ ...f, flaky: true }))] }),
  });
}

/**
 * The failures of `before` that `after` sets apart as known: what a fix was working on that now
 * fails before the change too (HEAD moved), so the fix proves nothing about them.
 */
export function nowKnown(before: Verdict, after: Verdict): FailingTest[] {
  return before.failures.filter((f) =>
    after.known_failures.some((k) => k.name === f.name && k.file === f.file),
  );
}

/** A test's id as lists show it: `file > name` (the name alone when the file is unknown). */
export const testId = (f: Pick<FailingTest, 'file' | 'name'>) =>
  f.file ? `${f.file} > ${f.name}` : f.name;

/**
 * Whether a verdict may accept a fix: it passed and at least one test ran. "No related tests"
 * passes a save, but a fix verified by no test (its file deleted, renamed or replaced by a
 * folder meanwhile) proves nothing.
 */
export function provesFix(verdict: Verdict): boolean {
  return verdict.passed && verdict.status !== 'no_tests' && verdict.counts.total > 0;
}

/** Why a verdict did not accept a fix, in one line. */
export function unprovenReason(verdict: Verdict): string {
  return provesFix(verdict) || !verdict.passed
    ? verdict.summary
    : `the verification ran no test (${verdict.summary})`;
}
