/**
 * A transcript told from a task's record, for tasks that have no transcript file (a clean check,
 * a task older than transcripts, or one whose transcript lines were lost): less detail, same shape.
 */
import type { Task } from '../store/schema.js';
import { type EntryBody, planLine, type TranscriptEntry } from './entry.js';

const ENDED: Record<string, string> = {
  completed: 'completed',
  failed: 'failed',
  needs_input: 'needs_input',
};

/** The entries a task's record supports: plan, attempts, verification, delivery, end. */
export function entriesOfRecord(task: Task): TranscriptEntry[] {
  const out: EntryBody[] = [];
  const plan = task.plan as { summary?: unknown; steps?: unknown; files?: unknown } | undefined;
  if (plan && typeof plan.summary === 'string') {
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
    out.push(planLine({ summary: plan.summary, steps: list(plan.steps), files: list(plan.files) }));
  }
  for (const a of task.attempts ?? []) {
    if (a.test_summary)
      out.push({
        kind: 'test',
        attempt: a.number,
        command: '',
        status: '',
        summary: String(a.test_summary),
        duration_ms: a.duration_ms,
      });
    out.push({ kind: 'attempt', attempt: a.number, outcome: a.outcome, error: a.error ?? null });
  }
  const result = task.result;
  if (result?.verification_line)
    out.push({ kind: 'verification', line: String(result.verification_line) });
  if (result?.branch)
    out.push({
      kind: 'delivery',
      branch: result.branch,
      commit: result.commit,
      pushed: !!result.pushed,
      pr_url: result.pr_url ?? null,
    });
  const status = ENDED[task.status];
  if (status) {
    const question = task.question ? { question: task.question } : {};
    out.push({
      kind: 'end',
      status,
      outcome: task.outcome ?? undefined,
      error: task.error ?? null,
      ...question,
    });
  }
  const at = task.updated_at ?? task.created_at;
  return out.map((e) => ({ ...e, at, task: task.id }) as TranscriptEntry);
}
