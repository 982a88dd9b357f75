/** Whether a work order's `--after` tasks let it start (pure: reads a State). */
import type { State, Task } from '../store/schema.js';
import { findTask } from '../tasks/queue.js';

/** Outcomes a task may be built on. */
const BUILDS_ON = new Set(['done', 'fixed', 'clean']);

export type Readiness =
  /** Every parent ended well; `commits` are the results to build on (work orders' commits). */
  | { kind: 'ready'; commits: string[] }
  | { kind: 'waiting'; on: string[] }
  /** A parent failed, was cancelled or is gone: the order fails naming it. */
  | { kind: 'failed'; error: string };

/** Where `task`'s parents stand in `state`. */
export function readiness(
  state: State,
  task: Task,
  /** Looks a task up: for many orders of one state, a taskFinder built once. */
  find: (id: string) => ReturnType<typeof findTask> = (id) => findTask(state, id),
): Readiness {
  const commits: string[] = [];
  const waiting: string[] = [];
  for (const id of task.after ?? []) {
    const found = find(id);
    if (!found) return { kind: 'failed', error: `it builds on ${id}, which no longer exists` };
    const parent = found.task;
    if (found.queue === 'failed' || (parent.outcome && !BUILDS_ON.has(parent.outcome))) {
      const how = parent.outcome === 'cancelled' ? 'was cancelled' : 'failed';
      const why = parent.error ? `: ${parent.error}` : '';
      return { kind: 'failed', error: `it builds on ${id}, which ${how}${why}` };
    }
    if (found.queue !== 'completed') {
      waiting.push(id);
      continue;
    }
    if (parent.result?.commit) commits.push(parent.result.commit);
  }
  return waiting.length ? { kind: 'waiting', on: waiting } : { kind: 'ready', commits };
}

/**
 * `task` with the orders it was built on (`after`, recursively), parents first: what `fixloop
 * apply` brings. Orders no longer in the state are left out.
 */
export function chainOf(state: State, task: Task): Task[] {
  const chain: Task[] = [];
  const seen = new Set<string>();
  const visit = (t: Task) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    for (const id of t.after ?? []) {
      const parent = findTask(state, id)?.task;
      // A fix it waited for changed the working tree itself: only orders have a change to bring.
      if (parent?.type === 'work' && parent.result?.commit) visit(parent);
    }
    chain.push(t);
  };
  visit(task);
  return chain;
}
