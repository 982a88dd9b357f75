/** `fixloop tasks` and `fixloop workers`: the tasks, and the workers carrying them out. */

import { readView } from '../queue/open.js';
import { type WorkerRow, workersReport } from '../status/workers.js';
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

/** `fixloop workers`: every work-lane worker, its status, task, step and orders done. */
export async function listWorkers(
  ctx: CommandContext,
): Promise<CommandResult<{ workers: WorkerRow[] }>> {
  const workers = workersReport(await readView(ctx), ctx.clock.now());
  return { data: { workers }, exitCode: ExitCode.ok };
}
