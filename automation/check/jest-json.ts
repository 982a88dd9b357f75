/** Parses the JSON report that jest (`--json`) and vitest (`--reporter=json`) both write. */
import { relativePosix } from '../fs/paths.js';
import { type Counts, type FailingTest, stripAnsi, type VerdictStatus } from './verdict.js';

interface Assertion {
  fullName?: string;
  title?: string;
  status?: string;
  failureMessages?: string[];
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

export interface ParsedReport {
  status: VerdictStatus;
  counts: Counts;
  failures: FailingTest[];
}

const firstLine = (text: string) =>
  stripAnsi(text)
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.trim() ?? '';

/**
 * A suite that fails without failing tests (vitest: a file that fails to import; jest: a
 * syntax error) is reported as a failure named after the suite, so it is never read as a pass.
 */
export function parseJestJson(text: string, root: string): ParsedReport {
  const report = JSON.parse(text) as Report;
  const rel = (file: string | undefined) => (file ? relativePosix(root, file) : null);
  const failures: FailingTest[] = [];
  let suiteErrors = 0;
  for (const suite of report.testResults ?? []) {
    for (const a of suite.assertionResults ?? []) {
      if (a.status !== 'failed') continue;
      const full = stripAnsi((a.failureMessages ?? []).join('\n'));
      failures.push({
        name: a.fullName ?? a.title ?? '(unnamed test)',
        file: rel(suite.name),
        message: firstLine(full),
        excerpt: full,
      });
    }
    const failedAssertions = (suite.assertionResults ?? []).some((a) => a.status === 'failed');
    if (suite.status === 'failed' && !failedAssertions) {
      suiteErrors++;
      const message = stripAnsi(suite.message ?? '') || 'the test file failed to run';
      failures.push({
        name: `${rel(suite.name) ?? 'a test file'} failed to run`,
        file: rel(suite.name),
        message: firstLine(message),
        excerpt: message,
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
  return { status, counts, failures };
}
