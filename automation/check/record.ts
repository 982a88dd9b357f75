/** Compact records of verdicts: for `test_results`, task attempts and one-line reasons. */
import type { Task } from '../store/schema.js';
import type { Verdict } from './verdict.js';

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
    failing_tests: verdict.failures.map((f) => ({
      name: f.name,
      file: f.file,
      message: f.message,
    })),
    known_failures: verdict.known_failures.map((f) => ({
      name: f.name,
      file: f.file,
      message: f.message,
      ...(f.flaky ? { flaky: true } : {}),
    })),
  };
}

/** The first line that says why a verdict failed. */
export function failureReason(verdict: Verdict): string {
  const first = verdict.failures[0];
  if (!first) return verdict.summary;
  return `${verdict.summary}: ${first.name}${first.message ? ` — ${first.message}` : ''}`;
}
