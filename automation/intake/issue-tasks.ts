/**
 * Pure state operations of the GitHub intake: which issue becomes a work order, which phase its
 * latest order is in, retries. Callers run the mutating ones inside StateStore.update.
 */
import { PRIORITIES, type Priority, type State, type Task } from '../store/schema.js';
import { allTasks, answerTask, enqueue, findTask } from '../tasks/queue.js';
import type { IssueSummary } from './github-api.js';

/** Where an issue's work stands, as its `fixloop:<phase>` label says. */
export type Phase = 'queued' | 'in-progress' | 'needs-input' | 'done' | 'failed';
export const PHASES: readonly Phase[] = ['queued', 'in-progress', 'needs-input', 'done', 'failed'];
export const labelOf = (phase: Phase) => `fixloop:${phase}`;
/** The labels that say fixloop has an issue in hand. */
export const STATE_LABELS = PHASES.map(labelOf);

/** What fixloop keeps in a task from an issue (its `source`). */
export interface IssueSource {
  kind: 'github';
  issue: number;
  url: string;
  /** 1 for the issue's first work order, 2 for its retry… */
  attempt: number;
  /** The phase last written to GitHub (labels, comment, pull request). */
  synced?: Phase;
  /** The order queued to retry this failed one. */
  retried?: string;
}

/** The task's issue source, if it came from an issue. */
export function sourceOf(task: Task): IssueSource | undefined {
  const s = task.source;
  return s?.kind === 'github' && typeof s.issue === 'number'
    ? (s as unknown as IssueSource)
    : undefined;
}

/** Every issue fixloop has orders for, each with its orders (oldest first). */
export function issueOrders(state: State): Map<number, Task[]> {
  const out = new Map<number, Task[]>();
  const tasks = allTasks(state).sort((a, b) => a.created_at.localeCompare(b.created_at));
  for (const task of tasks) {
    const source = sourceOf(task);
    if (source) out.set(source.issue, [...(out.get(source.issue) ?? []), task]);
  }
  return out;
}

/** The phase of an issue whose latest order is `task`. */
export function phaseOf(task: Task): Phase {
  switch (task.status) {
    case 'pending':
      return 'queued';
    case 'in_progress':
      return 'in-progress';
    case 'needs_input':
      return 'needs-input';
    case 'completed':
      // Done but not pushed cannot become a pull request: the issue is not done.
      return task.outcome === 'done' && task.result?.pushed !== false ? 'done' : 'failed';
    default:
      return 'failed';
  }
}

/** `priority:critical|high|low` labels set the order's priority. */
export function priorityOf(labels: readonly string[]): Priority {
  const lower = labels.map((l) => l.toLowerCase());
  for (const p of PRIORITIES) if (lower.includes(`priority:${p}`)) return p;
  return 'normal';
}

const MAX_DESCRIPTION = 8000;

/** An order that ended, and whose end GitHub was told (its issue is labelled done or failed). */
function reported(task: Task): boolean {
  const phase = phaseOf(task);
  const source = sourceOf(task);
  return (phase === 'done' || phase === 'failed') && source?.synced === phase && !source.retried;
}

/** Whether fixloop already reported on `issue` (queuing it again means: run it once more). */
export function wasReported(state: State, issue: number): boolean {
  const latest = issueOrders(state).get(issue)?.at(-1);
  return !!latest && reported(latest);
}

/**
 * Queues `issue` unless fixloop already has it in hand: an order not ended, or ended but not yet
 * reported (a restart between the two). An issue whose last order was reported and that lost its
 * state label (someone removed it to try again) starts over at attempt 1.
 */
export function queueIssue(state: State, issue: IssueSummary, now: string): Task | undefined {
  const latest = issueOrders(state).get(issue.number)?.at(-1);
  if (latest && !reported(latest)) return;
  const text = `${issue.title}\n\n${issue.body}`.trim().slice(0, MAX_DESCRIPTION);
  return newOrder(state, issue.number, issue.url, 1, text, priorityOf(issue.labels), now);
}

function newOrder(
  state: State,
  issue: number,
  url: string,
  attempt: number,
  description: string,
  priority: Priority,
  now: string,
): Task {
  const source: IssueSource = { kind: 'github', issue, url, attempt };
  const type = 'work' as const;
  const fields = { type, file_path: null, description, priority, files: [], source };
  return enqueue(state, fields, now).task;
}

/**
 * Whether the issue's latest order failed and may be tried again. One stopped by the hourly cost
 * cap is not: its retry would be stopped too, and use up the issue's attempts in seconds.
 */
export function retryable(task: Task, maxAttempts: number): boolean {
  const source = sourceOf(task);
  const capped = !!task.cost_capped;
  return (
    !!source &&
    task.status === 'failed' &&
    !capped &&
    !source.retried &&
    source.attempt < maxAttempts
  );
}

/** Queues the next order of a failed one's issue (once: the failed one records it). */
export function queueRetry(state: State, failedId: string, now: string): Task | undefined {
  const failed = findTask(state, failedId)?.task;
  const source = failed && sourceOf(failed);
  if (!failed || !source || source.retried) return undefined;
  const next = newOrder(
    state,
    source.issue,
    source.url,
    source.attempt + 1,
    failed.description,
    failed.priority,
    now,
  );
  source.retried = next.id;
  return next;
}

/** Answers a needs_input order with a collaborator's comment (if it still waits). */
export function answerOrder(
  state: State,
  id: string,
  answer: { text: string; author: string },
  now: string,
): Task | undefined {
  const found = findTask(state, id);
  if (found?.queue !== 'needs_input') return undefined;
  return answerTask(state, found.task, answer.text, now, { by: answer.author });
}

/** Records that `phase` (and the pull request) was written to GitHub for `id`. */
export function markSynced(state: State, id: string, phase: Phase, prUrl?: string): void {
  const task = findTask(state, id)?.task;
  const source = task && sourceOf(task);
  if (!task || !source) return;
  source.synced = phase;
  if (prUrl && task.result) task.result.pr_url = prUrl;
}
