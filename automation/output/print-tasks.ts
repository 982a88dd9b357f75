/** Human rendering of task lists and single tasks. */
import type { Task } from '../store/schema.js';
import { verificationLine, verificationOf } from '../work/verification.js';
import type { Style } from './style.js';

/**
 * A verdict summary at the start of an error: `1 failed, 2 passed (jest, related, 812 ms): `, or
 * `(jest warm, …)` from a warm runner.
 */
const SUMMARY = /^[^(]*\([\w+]+(?: warm)?, (?:related|files|suite), \d+ ms\): /;

/** The part of an error worth a list's one line: the failure itself, without the run summary. */
export function errorGist(error: string, max = 120): string {
  const line = error.split('\n')[0] ?? '';
  const gist = line.replace(SUMMARY, '');
  return gist.length > max ? `${gist.slice(0, max - 1)}…` : gist;
}

/** One line per task: id, queue, priority, file or description. */
export function formatTaskList(tasks: readonly Task[], s: Style): string {
  if (tasks.length === 0) return s.dim('No tasks.');
  const rows = tasks.map((t) => {
    const issue = t.source?.kind === 'github' ? ` (issue #${t.source.issue})` : '';
    const what = t.file_path
      ? `${t.file_path}${t.type === 'manual' ? ` — ${t.description}` : ''}`
      : `${t.description.split('\n')[0]}${issue}`;
    const status = t.outcome ? `${t.status}/${t.outcome}` : t.status;
    const colour =
      t.status === 'failed'
        ? s.red
        : t.status === 'completed'
          ? s.green
          : t.status === 'needs_input'
            ? s.yellow
            : (x: string) => x;
    const error = t.error ? s.dim(` (${errorGist(t.error)})`) : '';
    const pr = t.result?.pr_url ? ` ${t.result.pr_url}` : '';
    const branch = t.result?.branch ? s.dim(` → ${t.result.branch}${pr}`) : '';
    const step =
      t.status === 'in_progress' && typeof t.step === 'string' ? s.dim(` — ${t.step}`) : '';
    const head = `${t.id}  ${colour(status.padEnd(20))} ${t.priority.padEnd(8)}`;
    const v = verificationOf(t.result);
    const proof = v ? `\n${' '.repeat(15)}${s.dim(verificationLine(v))}` : '';
    return `${head} ${what}${branch}${step}${error}${proof}`;
  });
  return [
    s.dim(`${'id'.padEnd(13)}  ${'status'.padEnd(20)} ${'priority'.padEnd(8)} what`),
    ...rows,
  ].join('\n');
}
