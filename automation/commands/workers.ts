/** `fixloop workers`: every work-lane worker, its status, task, step and orders done. */

import { readView } from '../queue/open.js';
import { type WorkerRow, workersReport } from '../status/workers.js';
import type { CommandContext, CommandResult } from './context.js';
import { ExitCode } from './exit-codes.js';

export async function listWorkers(
  ctx: CommandContext,
): Promise<CommandResult<{ workers: WorkerRow[] }>> {
  const workers = workersReport(await readView(ctx), ctx.clock.now());
  return { data: { workers }, exitCode: ExitCode.ok };
}
