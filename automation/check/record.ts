/** Compact records of verdicts: for `test_results`, task attempts and one-line reasons. */
import type { Task } from '../store/schema.js';
import { cap, MAX_FAILURES, testId, type Verdict } from './verdict.js';

/** Characters of a failure's excerpt kept in `test_results` (the verdict keeps more). */
const RECORD_EXCERPT = 600;

/** A compact record of a verdict for `test_results` and task attempts. */
export function testRecord(task: Task, verdict: Verdict, now: string) {
  return {
    timestamp: now,
    task_id: task.id,
    file_path: task.file_path,
    passed: verdict.passed,
    status: verdict.status,
    summary: verdict.summary,
    runner: verdict.runner,
    ...(verdict.warm ? { warm: true } : {}),
    ...(verdict.baseline_error ? { baseline_error: verdict.baseline_error } : {}),
    scope: verdict.scope,
    duration_ms: verdict.duration_ms,
    counts: verdict.counts,
    failing_tests: verdict.failures.slice(0, MAX_FAILURES).map((f) => ({
      name: f.name,
      file: f.file,
      ...(f.location ? { location: f.location } : {}),
      ...(f.source ? { source: f.source } : {}),
      message: f.message,
      excerpt: cap(f.excerpt, RECORD_EXCERPT),
    })),
    ...(verdict.failures.length > MAX_FAILURES
      ? { failing_tests_omitted: verdict.failures.length - MAX_FAILURES }
      : {}),
    known_failures: verdict.known_failures.slice(0, MAX_FAILURES).map((f) => ({
      name: f.name,
      file: f.file,
      message: f.message,
    })),
    ...(verdict.flaky.length ? { flaky: verdict.flaky.slice(0, MAX_FAILURES).map(testId) } : {}),
  };
}

/** The first line that says why a verdict failed (with where, when the runner said). */
export function failureReason(verdict: Verdict): string {
  const first = verdict.failures[0];
  if (!first) return verdict.summary;
  const where = first.location ? ` (${first.location})` : '';
  return `${verdict.summary}: ${first.name}${where}${first.message ? ` — ${first.message}` : ''}`;
}
