/**
 * `fixloop logs <task-id> [--follow]`: a task's transcript (CONTRACT.md §9) — from this clone's
 * LOG_DIR, or from the order's job on the shared queue when a worker elsewhere carried it out, or
 * told from the task's record when no transcript was written.
 */
import { readView, withShared } from '../queue/open.js';
import type { Task } from '../store/schema.js';
import { TaskNotFoundError } from '../tasks/errors.js';
import { findTask } from '../tasks/queue.js';
import { parseEntries, type TranscriptEntry } from '../transcript/entry.js';
import { followTranscript, readTranscript } from '../transcript/read.js';
import { entriesOfRecord } from '../transcript/record.js';
import type { CommandContext, CommandResult } from './context.js';
import { ExitCode } from './exit-codes.js';

/** Where a transcript came from. */
export type LogSource = 'transcript' | 'shared queue' | 'task record';

export interface TaskLog {
  task: Pick<Task, 'id' | 'type' | 'status' | 'description'> & { step?: string | undefined };
  source: LogSource;
  entries: TranscriptEntry[];
}

/** Statuses at which a task has ended (until a retry or an answer): its transcript is whole. */
export const ENDED = new Set(['completed', 'failed', 'needs_input']);

async function locate(ctx: CommandContext, id: string): Promise<Task> {
  const found = findTask(await readView(ctx), id)?.task;
  if (!found) throw new TaskNotFoundError(id);
  return found;
}

/** The task's written transcript: this clone's, else the one on its shared-queue job. */
async function written(
  ctx: CommandContext,
  id: string,
): Promise<{ source: LogSource; entries: TranscriptEntry[] } | undefined> {
  const local = await readTranscript(ctx.config.logDir, id);
  if (local?.length) return { source: 'transcript', entries: local };
  const lines = ctx.config.queue.url
    ? await withShared(ctx, (q) => q.logLines(id)).catch(() => undefined)
    : undefined;
  if (lines?.length) return { source: 'shared queue', entries: parseEntries(lines, id) };
  return undefined;
}

const summary = (task: Task): TaskLog['task'] => ({
  id: task.id,
  type: task.type,
  status: task.status,
  description: task.description,
  step: typeof task.step === 'string' ? task.step : undefined,
});

/** The transcript of task `id` as it is now. TaskNotFoundError (exit 1) for an unknown id. */
export async function taskLog(ctx: CommandContext, id: string): Promise<CommandResult<TaskLog>> {
  const task = await locate(ctx, id);
  const { source, entries } = (await written(ctx, id)) ?? {
    source: 'task record' as const,
    entries: entriesOfRecord(task),
  };
  // The pull request is opened after the order's end is written: its record has the address.
  const pr = task.result?.pr_url;
  for (const e of entries) if (e.kind === 'delivery' && !e.pr_url && pr) e.pr_url = pr;
  return { data: { task: summary(task), source, entries }, exitCode: ExitCode.ok };
}

/**
 * The transcript of task `id` as it is written, until the task ends (done, failed, cancelled, or
 * waiting for an answer). TaskNotFoundError before the first entry for an unknown id.
 */
export async function followLog(
  ctx: CommandContext,
  id: string,
  signal?: AbortSignal,
): Promise<{ task: TaskLog['task']; entries: AsyncGenerator<TranscriptEntry> }> {
  const first = await locate(ctx, id);
  let latest = first;
  const shared = !!ctx.config.queue.url;
  const follow = followTranscript({
    ended: async () => {
      latest = await locate(ctx, id).catch(() => latest);
      return ENDED.has(latest.status);
    },
    read: async () => (await written(ctx, id))?.entries ?? [],
    // A shared queue is asked over the network: not more than twice a second.
    intervalMs: shared ? 500 : 200,
    graceReads: shared ? 20 : 50,
    ...(signal ? { signal } : {}),
  });
  async function* entries(): AsyncGenerator<TranscriptEntry> {
    let any = false;
    for await (const entry of follow) {
      any = true;
      yield entry;
    }
    // Nothing was written for it (a clean check, an older task): what its record tells.
    if (!any && !signal?.aborted) yield* entriesOfRecord(latest);
  }
  return { task: summary(first), entries: entries() };
}
