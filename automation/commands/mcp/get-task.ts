/**
 * The `get_task` tool: one task with its step, result and verification, the last lines of its
 * transcript, and (with a wait) the task followed until it ends, each transcript line sent as an
 * MCP progress notification when the client asked for progress.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { formatEntry } from '../../output/print-logs.js';
import { createStyle } from '../../output/style.js';
import { readView } from '../../queue/open.js';
import { redact } from '../../redact.js';
import type { Task } from '../../store/schema.js';
import { TaskNotFoundError } from '../../tasks/errors.js';
import { findTask } from '../../tasks/queue.js';
import type { CommandContext, CommandResult } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { ENDED, followLog, taskLog } from '../logs.js';
import { daemonRunning } from '../status.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Transcript lines a result carries (the whole transcript is the log resource). */
const TAIL = 20;
const plain = createStyle(false);

export interface TaskView {
  task: Task;
  log: string[];
  ended: boolean;
  daemon_running: boolean;
}

/** Task `id` now, or once it ends (at most `waitSeconds` later). */
export async function getTask(
  ctx: CommandContext,
  id: string,
  options: { waitSeconds: number; extra: Extra },
): Promise<CommandResult<TaskView>> {
  const { extra, waitSeconds } = options;
  const secrets = ctx.config.secrets;
  if (waitSeconds > 0) {
    const signal = AbortSignal.any([extra.signal, AbortSignal.timeout(waitSeconds * 1000)]);
    const token = extra._meta?.progressToken;
    const { entries } = await followLog(ctx, id, signal);
    let progress = 0;
    for await (const entry of entries) {
      progress++;
      if (token === undefined) continue;
      await extra
        .sendNotification({
          method: 'notifications/progress',
          params: {
            progressToken: token,
            progress,
            message: redact(formatEntry(entry, plain), secrets),
          },
        })
        .catch(() => {});
    }
  }
  const state = await readView(ctx);
  const found = findTask(state, id);
  if (!found) throw new TaskNotFoundError(id);
  const log = (await taskLog(ctx, id)).data.entries.slice(-TAIL).map((e) => formatEntry(e, plain));
  const running = daemonRunning(ctx, state);
  return {
    data: { task: found.task, log, ended: ENDED.has(found.task.status), daemon_running: running },
    exitCode: ExitCode.ok,
  };
}
