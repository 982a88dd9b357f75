/** `fixloop tasks`: lists tasks, pending first in the order they will run. */

import { readView } from '../queue/open.js';
import { QUEUE_NAMES, type QueueName, type Task } from '../store/schema.js';
import { pendingInOrder } from '../tasks/queue.js';
import type { CommandContext, CommandResult } from './context.js';
import { ExitCode } from './exit-codes.js';

export interface TaskList {
  count: number;
  tasks: Task[];
}

/** All tasks, or those of one queue. */
export async function listTasks(
  ctx: CommandContext,
  filter?: QueueName,
): Promise<CommandResult<TaskList>> {
  const state = await readView(ctx);
  const tasks = QUEUE_NAMES.filter((q) => !filter || q === filter).flatMap((q) =>
    q === 'pending' ? pendingInOrder(state) : [...state.queues[q]].reverse(),
  );
  return { data: { count: tasks.length, tasks }, exitCode: ExitCode.ok };
}
