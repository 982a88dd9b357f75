/** Queues a work order (from `fixloop add`, `POST /tasks`): one locked update of the state. */
import { type Clock, isoAt } from '../clock.js';
import type { Priority, Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { TaskInputError, TaskNotFoundError } from '../tasks/errors.js';
import { enqueue, findTask } from '../tasks/queue.js';

export interface OrderInput {
  description: string;
  /** Paths relative to PROJECT_ROOT, with `/`. */
  files?: readonly string[];
  priority?: Priority;
  after?: readonly string[];
  split?: boolean;
  /** Where it came from: `{kind: 'cli'}`, `{kind: 'http'}`… */
  source: { kind: string; [k: string]: unknown };
}

/** The description, trimmed; TaskInputError when it is empty. */
export function checkedDescription(description: string): string {
  const trimmed = description.trim();
  if (!trimmed)
    throw new TaskInputError(
      'The description is empty; say what should be done, ' +
        'e.g. fixloop add "parse ISO week dates" --file src/date.ts.',
    );
  return trimmed;
}

/** Queues `input`; TaskInputError for an empty description, TaskNotFoundError for `after`. */
export async function queueWorkOrder(
  deps: { store: StateStore; clock: Clock },
  input: OrderInput,
): Promise<Task> {
  const description = checkedDescription(input.description);
  const after = [...new Set(input.after ?? [])];
  return deps.store.update((state) => {
    for (const id of after) if (!findTask(state, id)) throw new TaskNotFoundError(id);
    return enqueue(
      state,
      {
        type: 'work',
        file_path: null,
        description,
        priority: input.priority ?? 'normal',
        files: [...new Set(input.files ?? [])],
        ...(after.length ? { after } : {}),
        ...(input.split ? { split: true } : {}),
        source: input.source,
      },
      isoAt(deps.clock),
    ).task;
  });
}
