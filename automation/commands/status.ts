/** `fixloop status`: is the daemon alive, and what is it doing? Read from the state file without the lock. */
import { hostname } from 'node:os';
import { ExitCode } from '../errors.js';
import { QUEUE_NAMES, type QueueName, type State, type Task } from '../store/schema.js';
import type { CommandContext, CommandResult } from './context.js';

export type DaemonState = 'running' | 'stale' | 'stopped' | 'never_started';

export interface StatusReport {
  daemon: DaemonState;
  /** Why the daemon is considered stale, when it is. */
  stale_reason: string | null;
  process_status: string | null;
  pid: number | null;
  host: string | null;
  project_root: string | null;
  started_at: string | null;
  uptime_seconds: number | null;
  last_heartbeat: string | null;
  heartbeat_age_seconds: number | null;
  heartbeat_interval_seconds: number;
  queues: Record<QueueName, number>;
  current_task: (Pick<Task, 'id' | 'type' | 'file_path' | 'description'> & { step: string | null; elapsed_seconds: number }) | null;
  recent: Array<Pick<Task, 'id' | 'type' | 'file_path' | 'outcome' | 'updated_at'> & { error: string | null }>;
  open_breakers: Array<{ file: string; [k: string]: unknown }>;
  escalations: Array<Record<string, unknown>>;
  usage: Record<string, unknown>;
  state_file: string;
}

/** True when a process with this pid exists on this machine. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const seconds = (ms: number) => Math.max(0, Math.round(ms / 100) / 10);

/** Builds the status report; exit 0 running, 3 stopped or never started, 4 stale. */
export function statusFromState(state: State, ctx: Pick<CommandContext, 'config' | 'clock'>): CommandResult<StatusReport> {
  const now = ctx.clock.now();
  const proc = state.processes.orchestrator;
  const intervalS = typeof proc?.heartbeat_interval_seconds === 'number' ? proc.heartbeat_interval_seconds : ctx.config.daemon.heartbeatMs / 1000;
  const heartbeatAge = proc ? now - Date.parse(proc.last_heartbeat) : null;

  let daemon: DaemonState = 'never_started';
  let staleReason: string | null = null;
  if (proc && proc.status !== 'stopped') {
    daemon = 'running';
    if (proc.host === hostname() && !pidAlive(proc.pid)) staleReason = `process ${proc.pid} is no longer running`;
    else if (heartbeatAge !== null && heartbeatAge > 2 * intervalS * 1000) staleReason = `last heartbeat ${seconds(heartbeatAge)} s ago, expected every ${intervalS} s`;
    if (staleReason) daemon = 'stale';
  } else if (proc) {
    daemon = 'stopped';
  }

  const current = state.queues.in_progress[0];
  const finished = [...state.queues.completed, ...state.queues.failed].sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  const report: StatusReport = {
    daemon,
    stale_reason: staleReason,
    process_status: proc?.status ?? null,
    pid: proc?.pid ?? null,
    host: proc?.host ?? null,
    project_root: proc?.project_root ?? null,
    started_at: proc?.started_at ?? null,
    uptime_seconds: proc && daemon !== 'stopped' ? seconds(now - Date.parse(proc.started_at)) : null,
    last_heartbeat: proc?.last_heartbeat ?? null,
    heartbeat_age_seconds: heartbeatAge === null ? null : seconds(heartbeatAge),
    heartbeat_interval_seconds: intervalS,
    queues: Object.fromEntries(QUEUE_NAMES.map((q) => [q, state.queues[q].length])) as Record<QueueName, number>,
    current_task: current
      ? {
          id: current.id,
          type: current.type,
          file_path: current.file_path,
          description: current.description,
          step: typeof current.step === 'string' ? current.step : null,
          elapsed_seconds: seconds(now - Date.parse(current.updated_at)),
        }
      : null,
    recent: finished.slice(0, 5).map((t) => ({ id: t.id, type: t.type, file_path: t.file_path, outcome: t.outcome, updated_at: t.updated_at, error: t.error ?? null })),
    open_breakers: Object.entries(state.breakers)
      .filter(([, b]) => (b as { state?: string }).state === 'open')
      .map(([file, b]) => ({ file, ...(b as object) })),
    escalations: state.escalations.slice(-5).reverse(),
    usage: state.usage,
    state_file: ctx.config.stateFile,
  };
  const exitCode = daemon === 'running' ? ExitCode.ok : daemon === 'stale' ? ExitCode.stale : ExitCode.notRunning;
  return { data: report, exitCode };
}

/** `fixloop status`. */
export async function status(ctx: CommandContext): Promise<CommandResult<StatusReport>> {
  return statusFromState(await ctx.store.read(), ctx);
}
