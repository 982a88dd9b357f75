/** `fixloop retry | respond | cancel`: the task mutations, each one locked update. */
import { isAbsolute, relative, resolve } from 'node:path';
import { isoAt } from '../clock.js';
import { toPosix } from '../fs/paths.js';
import { onShared } from '../queue/open.js';
import type { QueueName, State, Task } from '../store/schema.js';
import { TaskInputError, TaskNotFoundError, TaskStateError } from '../tasks/errors.js';
import {
  answerTask,
  findTask,
  moveTask,
  recordEvent,
  supersedePendingTwin,
} from '../tasks/queue.js';
import type { CommandContext, CommandResult } from './context.js';
import { ExitCode } from './exit-codes.js';

/** A path given on the command line, as the state stores it: relative to PROJECT_ROOT, with `/`. */
export function toProjectPath(projectRoot: string, cwd: string, file: string): string {
  const abs = isAbsolute(file) ? file : resolve(cwd, file);
  const rel = relative(projectRoot, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new TaskInputError(
      `${file} is outside PROJECT_ROOT (${projectRoot}); give a file inside the project.`,
    );
  }
  return toPosix(rel);
}

function expect(
  task: { queue: QueueName; task: Task } | undefined,
  id: string,
  allowed: QueueName[],
  verb: string,
) {
  if (!task) throw new TaskNotFoundError(id);
  if (!allowed.includes(task.queue)) {
    throw new TaskStateError(
      `Task ${id} is ${task.queue}, so it cannot be ${verb}; ` +
        `only ${allowed.join(' or ')} tasks can.`,
      id,
    );
  }
  return task;
}

/** Whether the state file holds task `id` (else it may be an order of the shared queue). */
const local = (id: string) => (state: State) => !!findTask(state, id);

/** Moves a failed task back to pending, keeping retry_count and attempts. */
export async function retryTask(
  ctx: CommandContext,
  id: string,
): Promise<CommandResult<{ task: Task }>> {
  const shared = await onShared(ctx, local(id), (q) => q.retry(id));
  if (shared) return { data: { task: shared }, exitCode: ExitCode.ok };
  const task = await ctx.store.update((state) => {
    const found = expect(findTask(state, id), id, ['failed'], 'retried');
    const now = isoAt(ctx.clock);
    supersedePendingTwin(state, found.task, now);
    recordEvent(state, now, 'task_retried', { task_id: id });
    // `retried_at`: an order of the shared queue runs again rather than report its old end.
    return moveTask(state, id, 'pending', now, {
      outcome: undefined,
      error: undefined,
      retried_at: now,
    });
  });
  ctx.logger.info({ task: task.id }, 'task retried');
  return { data: { task }, exitCode: ExitCode.ok };
}

/** Answers a needs_input task: back to pending with the answer. */
export async function respondTask(
  ctx: CommandContext,
  id: string,
  answer: string,
): Promise<CommandResult<{ task: Task }>> {
  if (!answer.trim())
    throw new TaskInputError('The answer is empty; give the answer as the second argument.');
  const shared = await onShared(ctx, local(id), (q) => q.respond(id, answer));
  if (shared) return { data: { task: shared }, exitCode: ExitCode.ok };
  const task = await ctx.store.update((state) => {
    const found = expect(findTask(state, id), id, ['needs_input'], 'answered');
    return answerTask(state, found.task, answer, isoAt(ctx.clock));
  });
  ctx.logger.info({ task: task.id }, 'task answered');
  return { data: { task }, exitCode: ExitCode.ok };
}

/**
 * Cancels a pending or needs_input task: it is finished with outcome `cancelled` (so no task is
 * ever lost).
 */
export async function cancelTask(
  ctx: CommandContext,
  id: string,
): Promise<CommandResult<{ task: Task }>> {
  const shared = await onShared(ctx, local(id), (q) => q.cancel(id));
  if (shared) return { data: { task: shared }, exitCode: ExitCode.ok };
  const task = await ctx.store.update((state) => {
    const found = expect(findTask(state, id), id, ['pending', 'needs_input'], 'cancelled');
    const now = isoAt(ctx.clock);
    recordEvent(state, now, 'task_cancelled', { task_id: id, from: found.queue });
    return moveTask(state, id, 'completed', now, { outcome: 'cancelled' });
  });
  ctx.logger.info({ task: task.id }, 'task cancelled');
  return { data: { task }, exitCode: ExitCode.ok };
}
