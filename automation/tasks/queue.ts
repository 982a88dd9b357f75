/**
 * Pure task-queue operations on a State (CONTRACT.md §4). Callers run them inside
 * StateStore.update.
 */
import { randomBytes } from 'node:crypto';
import {
  PRIORITIES,
  type Priority,
  QUEUE_NAMES,
  type QueueName,
  type State,
  type Task,
} from '../store/schema.js';

export interface NewTask {
  type: Task['type'];
  file_path: string | null;
  description: string;
  priority?: Priority;
  [extra: string]: unknown;
}

/** Appends an event to conversation_history (limits are applied on write). */
export function recordEvent(
  state: State,
  timestamp: string,
  type: string,
  fields: Record<string, unknown> = {},
): void {
  state.conversation_history.push({ timestamp, type, ...fields });
}

/** Every task in every queue, queue order preserved. */
export function allTasks(state: State): Task[] {
  return QUEUE_NAMES.flatMap((q) => state.queues[q]);
}

/** The task with this id and the queue it is in, or undefined. */
export function findTask(state: State, id: string): { queue: QueueName; task: Task } | undefined {
  for (const queue of QUEUE_NAMES) {
    const task = state.queues[queue].find((t) => t.id === id);
    if (task) return { queue, task };
  }
  return undefined;
}

/** findTask for many lookups in a state that does not change meanwhile: one pass, then O(1). */
export function taskFinder(state: State): (id: string) => ReturnType<typeof findTask> {
  const known = remembered(state);
  if (known.finder) return known.finder;
  const byId = new Map<string, { queue: QueueName; task: Task }>();
  for (const queue of QUEUE_NAMES)
    for (const task of state.queues[queue])
      if (!byId.has(task.id)) byId.set(task.id, { queue, task });
  known.finder = (id) => byId.get(id);
  return known.finder;
}

/**
 * Queues a task. A file has at most one pending task: another change to it refreshes the existing
 * one (higher of the two priorities; a manual task's description wins) instead of queuing twice.
 */
export function enqueue(
  state: State,
  input: NewTask,
  now: string,
  /** For many enqueues in one update: built once (queueIndex), kept current here. */
  index: QueueIndex = queueIndex(state),
): { task: Task; created: boolean } {
  const priority = input.priority ?? 'normal';
  if (input.file_path !== null) {
    const existing = index.pendingByPath.get(input.file_path);
    if (existing) {
      existing.updated_at = now;
      if (input.type === 'manual' || existing.type !== 'manual')
        Object.assign(existing, { ...input, priority: existing.priority });
      if (PRIORITIES.indexOf(priority) < PRIORITIES.indexOf(existing.priority))
        existing.priority = priority;
      return { task: existing, created: false };
    }
  }
  const task: Task = {
    ...input,
    id: newTaskId(state, index.ids),
    priority,
    created_at: now,
    updated_at: now,
    status: 'pending',
    retry_count: 0,
    attempts: [],
  };
  state.queues.pending.push(task);
  index.ids.add(task.id);
  if (task.file_path !== null) index.pendingByPath.set(task.file_path, task);
  recordEvent(state, now, 'task_created', {
    task_id: task.id,
    task_type: task.type,
    file_path: task.file_path,
  });
  return { task, created: true };
}

/** Pending tasks by file, and every id in use: what queuing looks up, built once per batch. */
export interface QueueIndex {
  pendingByPath: Map<string, Task>;
  ids: Set<string>;
}

/** The index of `state` as it is now (enqueue keeps it current; other changes do not). */
export function queueIndex(state: State): QueueIndex {
  const pendingByPath = new Map<string, Task>();
  for (const t of state.queues.pending)
    if (t.file_path !== null && !pendingByPath.has(t.file_path)) pendingByPath.set(t.file_path, t);
  return { pendingByPath, ids: new Set(allTasks(state).map((t) => t.id)) };
}

/** A fresh `task_` + 8 hex id not used by any task in `state`. */
export function newTaskId(
  state: State,
  used: ReadonlySet<string> = new Set(allTasks(state).map((t) => t.id)),
): string {
  for (;;) {
    const id = `task_${randomBytes(4).toString('hex')}`;
    if (!used.has(id)) return id;
  }
}

/** Answers for a frozen state (a snapshot every idle lane looks at): computed once. */
const ofSnapshot = new WeakMap<
  State,
  { inOrder?: Task[]; finder?: ReturnType<typeof taskFinder> }
>();

function remembered(state: State) {
  if (!Object.isFrozen(state)) return {};
  const known = ofSnapshot.get(state) ?? {};
  ofSnapshot.set(state, known);
  return known;
}

/** Pending tasks in the order they are taken: priority first, then age. Do not change it. */
export function pendingInOrder(state: State): readonly Task[] {
  const known = remembered(state);
  if (known.inOrder) return known.inOrder;
  const rank = (t: Task) => PRIORITIES.indexOf(t.priority);
  // ISO-8601 timestamps of one clock sort as plain strings.
  const inOrder = [...state.queues.pending].sort(
    (a, b) =>
      rank(a) - rank(b) || (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0),
  );
  known.inOrder = inOrder;
  return inOrder;
}

/**
 * Moves a task to another queue, stamping status and updated_at and applying `patch`. Returns the
 * moved task.
 */
export function moveTask(
  state: State,
  id: string,
  to: QueueName,
  now: string,
  patch: Partial<Task> = {},
  /** The task as the caller knows it: put back if the state lost it (the file was replaced). */
  fallback?: Task,
): Task {
  const found = findTask(state, id);
  if (!found && !fallback) throw new Error(`moveTask: no task ${id}`);
  if (found) state.queues[found.queue].splice(state.queues[found.queue].indexOf(found.task), 1);
  const base = found?.task ?? (fallback as Task);
  const task: Task = { ...base, ...patch, status: to, updated_at: now };
  state.queues[to].push(task);
  return task;
}

/**
 * Before `task` goes back to pending: another pending task for the same file would break "one
 * pending task per file", so that one is finished as `skipped`, superseded by `task` (which runs
 * the same file's tests, with more context).
 */
export function supersedePendingTwin(state: State, task: Task, now: string): Task | undefined {
  if (task.file_path === null) return undefined;
  const twin = state.queues.pending.find((t) => t.file_path === task.file_path && t.id !== task.id);
  if (!twin) return undefined;
  recordEvent(state, now, 'task_superseded', { task_id: twin.id, superseded_by: task.id });
  return moveTask(state, twin.id, 'completed', now, {
    outcome: 'skipped',
    error: `superseded by ${task.id}`,
  });
}

/**
 * Answers a task waiting in needs_input: back to pending with the answer (a pending twin of its
 * file is superseded). `fields` go into the event (who answered).
 */
export function answerTask(
  state: State,
  task: Task,
  answer: string,
  now: string,
  fields: Record<string, unknown> = {},
): Task {
  supersedePendingTwin(state, task, now);
  recordEvent(state, now, 'task_answered', { task_id: task.id, answer, ...fields });
  return moveTask(state, task.id, 'pending', now, { answer });
}
