/** `fixloop status`: the status report, with the exit code monitors rely on. */

import { readView } from '../queue/open.js';
import { type StatusReport, statusReport } from '../status/report.js';
import type { State } from '../store/schema.js';
import type { CommandContext, CommandResult } from './context.js';
import { ExitCode } from './exit-codes.js';

/** Exit 0 running, 3 stopped or never started, 4 stale. */
export function statusExitCode(report: StatusReport): ExitCode {
  if (report.daemon === 'running') return ExitCode.ok;
  return report.daemon === 'stale' ? ExitCode.stale : ExitCode.notRunning;
}

/** What the status report needs of the configuration. */
const reportOptions = (ctx: CommandContext) => ({
  heartbeatMs: ctx.config.daemon.heartbeatMs,
  stateFile: ctx.config.stateFile,
});

/** Whether a daemon with a fresh heartbeat runs on `state` (it carries out what is queued). */
export function daemonRunning(ctx: CommandContext, state: State): boolean {
  return statusReport(state, reportOptions(ctx), ctx.clock.now()).daemon === 'running';
}

/** `fixloop status`: read from the state file without the lock. */
export async function status(
  ctx: CommandContext,
  warn: (message: string) => void = () => {},
): Promise<CommandResult<StatusReport>> {
  const report = statusReport(await readView(ctx, warn), reportOptions(ctx), ctx.clock.now());
  return { data: report, exitCode: statusExitCode(report) };
}
