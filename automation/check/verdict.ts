/** The structured verdict of one test run, whatever the runner. */

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
  /** Capped excerpt of the failure (stack, diff). */
  excerpt: string;
}

export interface Verdict {
  status: VerdictStatus;
  /** True for `passed` and `no_tests`: "no related tests" is not a failure. */
  passed: boolean;
  runner: string;
  /** `related`: tests related to the files; `suite`: the whole suite. */
  scope: 'related' | 'suite';
  files: string[];
  command: string;
  counts: Counts;
  failures: FailingTest[];
  exit_code: number | null;
  duration_ms: number;
  /** Tail of the runner's output, capped. */
  output_excerpt: string;
  /** One line, e.g. "1 failed, 4 passed (vitest, related, 812 ms)". */
  summary: string;
}

export const MAX_FAILURES = 20;
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

/** Completes a verdict: derived `passed`, capped lists and the summary line. */
export function finishVerdict(v: Omit<Verdict, 'passed' | 'summary'>): Verdict {
  const c = v.counts;
  const parts: string[] = [];
  if (v.status === 'timeout') parts.push('timed out');
  else if (v.status === 'error')
    parts.push(
      v.failures[0]?.message ? `could not run: ${v.failures[0].message}` : 'the runner failed',
    );
  else if (v.status === 'no_tests') parts.push('no related tests');
  else {
    if (c.failed) parts.push(`${c.failed} failed`);
    if (!c.failed && v.status === 'failed')
      parts.push(`failed to run${v.failures[0] ? `: ${v.failures[0].message}` : ''}`);
    parts.push(`${c.passed} passed`);
    if (c.skipped) parts.push(`${c.skipped} skipped`);
  }
  return {
    ...v,
    passed: v.status === 'passed' || v.status === 'no_tests',
    failures: v.failures
      .slice(0, MAX_FAILURES)
      .map((f) => ({ ...f, message: cap(f.message, 500), excerpt: cap(f.excerpt, MAX_EXCERPT) })),
    output_excerpt: capTail(stripAnsi(v.output_excerpt), MAX_OUTPUT_EXCERPT),
    summary: `${parts.join(', ')} (${v.runner}, ${v.scope}, ${v.duration_ms} ms)`,
  };
}
