/** Parses the JSON report that jest (`--json`) and vitest (`--reporter=json`) both write. */
import { relativePosix } from '../../fs/paths.js';
import type { Reading } from '../runner.js';
import { type FailingTest, MAX_PASSED, testId, type VerdictStatus } from '../verdict.js';
import { causeOf, cleanExcerpt, valueText } from './failure-text.js';
import { locateJs } from './location.js';

interface MatcherResult {
  expected?: unknown;
  actual?: unknown;
}
interface Assertion {
  fullName?: string;
  title?: string;
  status?: string;
  failureMessages?: string[];
  /** jest: one entry per failure message; `matcherResult` holds the values compared. */
  failureDetails?: Array<{ matcherResult?: MatcherResult } | null>;
}
interface Suite {
  name?: string;
  status?: string;
  message?: string;
  assertionResults?: Assertion[];
}
interface Report {
  numTotalTests?: number;
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  success?: boolean;
  testResults?: Suite[];
}

/** expected/actual from jest's structured details, when it compared values. */
function values(a: Assertion): Pick<FailingTest, 'expected' | 'actual'> {
  const m = a.failureDetails?.find((d) => d?.matcherResult)?.matcherResult;
  if (!m || !('expected' in m || 'actual' in m)) return {};
  return {
    ...('expected' in m ? { expected: valueText(m.expected) } : {}),
    ...('actual' in m ? { actual: valueText(m.actual) } : {}),
  };
}

/**
 * A suite that fails without failing tests (vitest: a file that fails to import or whose
 * `beforeAll` throws; jest: a syntax error) is reported as a failure named after the suite, with
 * the error itself as its message, so it is never read as a pass. `root`: the project root.
 */
export function parseJestJson(text: string, root: string): Reading {
  const report = JSON.parse(text) as Report;
  const rel = (file: string | undefined) => (file ? relativePosix(root, file) : null);
  const failures: FailingTest[] = [];
  const testFiles: string[] = [];
  const passedTests: string[] = [];
  let suiteErrors = 0;
  for (const suite of report.testResults ?? []) {
    const file = rel(suite.name);
    if (file) testFiles.push(file);
    for (const a of suite.assertionResults ?? []) {
      if (a.status === 'passed' && passedTests.length < MAX_PASSED)
        passedTests.push(testId({ file, name: a.fullName ?? a.title ?? '' }));
      if (a.status !== 'failed') continue;
      const full = (a.failureMessages ?? []).join('\n');
      failures.push({
        name: a.fullName ?? a.title ?? '(unnamed test)',
        file,
        message: causeOf(full),
        excerpt: cleanExcerpt(full),
        ...values(a),
        ...locateJs(full, root, file),
      });
    }
    const failedAssertions = (suite.assertionResults ?? []).some((a) => a.status === 'failed');
    if (suite.status === 'failed' && !failedAssertions) {
      suiteErrors++;
      const message = suite.message ?? '';
      failures.push({
        name: `${file ?? 'a test file'} failed to run`,
        file,
        message: causeOf(message) || 'the test file failed to run, without an error message',
        excerpt: cleanExcerpt(message),
      });
    }
  }
  const counts = {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    total: report.numTotalTests ?? 0,
  };
  const failed = counts.failed > 0 || suiteErrors > 0 || report.success === false;
  const status: VerdictStatus = failed ? 'failed' : counts.total === 0 ? 'no_tests' : 'passed';
  return { status, counts, failures, testFiles, passedTests };
}
