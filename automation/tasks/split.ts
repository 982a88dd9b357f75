/**
 * `--split`: the planner's parts become child work orders (`parent_id`, dependencies between them
 * by index), and the parent waits for all of them (pure: changes a State).
 */
import type { Plan } from '../claude/plan.js';
import type { State, Task } from '../store/schema.js';
import { enqueue, moveTask, recordEvent } from './queue.js';

/** Queues `parts` as children of `parent` and puts the parent back to wait for them. */
export function splitInto(
  state: State,
  parent: Task,
  parts: NonNullable<Plan['parts']>,
  now: string,
): Task[] {
  const children: Task[] = [];
  for (const [i, part] of parts.entries()) {
    const after = [
      ...(parent.after ?? []),
      ...part.after.filter((j) => j < i).map((j) => (children[j] as Task).id),
    ];
    const { task } = enqueue(
      state,
      {
        type: 'work',
        file_path: null,
        description: part.description,
        priority: parent.priority,
        files: part.files,
        after,
        parent_id: parent.id,
        source: { kind: 'split', parent: parent.id },
      },
      now,
    );
    children.push(task);
  }
  const ids = children.map((c) => c.id);
  recordEvent(state, now, 'task_split', { task_id: parent.id, children: ids });
  // The parent waits for every child; its result is their results merged.
  moveTask(
    state,
    parent.id,
    'pending',
    now,
    { after: ids, children: ids, step: undefined },
    parent,
  );
  return children;
}
