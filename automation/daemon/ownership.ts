/**
 * One daemon per state file: claiming it, taking over a dead or stale owner, and crash recovery.
 */
import { hostname } from 'node:os';
import type { State, Task } from '../store/schema.js';
import { findTask, moveTask, recordEvent } from '../tasks/queue.js';
import { DaemonRunningError } from './errors.js';

/** True when a process with this pid exists on this machine. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Me {
  pid: number;
  host: string;
  projectRoot: string;
  heartbeatMs: number;
}

/** This process, as it appears in the state file. */
export function currentProcess(projectRoot: string, heartbeatMs: number): Me {
  return { pid: process.pid, host: hostname(), projectRoot, heartbeatMs };
}

/**
 * Claims `processes.orchestrator` (inside StateStore.update). A live owner with a fresh heartbeat
 * refuses with DaemonRunningError (exit 3); a dead or stale one is taken over, and its
 * `in_progress` tasks go back to pending with retry_count + 1. Returns what was recovered.
 */
export function claimOwnership(
  state: State,
  me: Me,
  nowMs: number,
  stateFile: string,
): { recovered: string[]; tookOverFrom: number | null } {
  const now = new Date(nowMs).toISOString();
  const owner = state.processes.orchestrator;
  let tookOverFrom: number | null = null;
  if (owner && owner.status !== 'stopped' && !(owner.pid === me.pid && owner.host === me.host)) {
    const intervalMs =
      typeof owner.heartbeat_interval_seconds === 'number'
        ? owner.heartbeat_interval_seconds * 1000
        : me.heartbeatMs;
    const fresh = nowMs - Date.parse(owner.last_heartbeat) <= 2 * intervalMs;
    const alive = owner.host === me.host ? pidAlive(owner.pid) : true;
    if (alive && fresh) throw new DaemonRunningError(owner.pid, owner.host, stateFile);
    tookOverFrom = owner.pid;
    recordEvent(state, now, 'daemon_takeover', {
      previous_pid: owner.pid,
      previous_host: owner.host,
      reason: alive ? 'stale heartbeat' : 'process gone',
    });
  }
  registerProcess(state, me, { status: 'starting', startedAt: now, now });
  const recovered: string[] = [];
  for (const task of [...state.queues.in_progress]) {
    requeue(state, task.id, now, { retry_count: task.retry_count + 1 }, 'task_recovered');
    recovered.push(task.id);
  }
  return { recovered, tookOverFrom };
}

/** Writes this daemon's entry (`processes.orchestrator`) into the state. */
export function registerProcess(
  state: State,
  me: Me,
  at: { status: 'starting' | 'running'; startedAt: string; now: string; extra?: object },
): void {
  state.processes.orchestrator = {
    status: at.status,
    pid: me.pid,
    host: me.host,
    project_root: me.projectRoot,
    started_at: at.startedAt,
    last_heartbeat: at.now,
    heartbeat_interval_seconds: me.heartbeatMs / 1000,
    last_health_check: {},
    ...at.extra,
  };
}

/**
 * Puts an interrupted task back in pending. If its file meanwhile got another pending task, that
 * one will check the file, so this one finishes as `skipped` instead (a file has one pending task).
 */
export function requeue(
  state: State,
  id: string,
  now: string,
  patch: Record<string, unknown>,
  event: string,
  /** The task as the caller knows it: put back in pending if the state lost it. */
  fallback?: Task,
): void {
  let task = state.queues.in_progress.find((t) => t.id === id);
  if (!task && fallback && !findTask(state, id)) {
    task = { ...fallback, status: 'in_progress' };
    state.queues.in_progress.push(task);
  }
  if (!task) return;
  const twin =
    task.file_path === null
      ? undefined
      : state.queues.pending.find((t) => t.file_path === task.file_path);
  recordEvent(state, now, event, { task_id: id, ...(twin ? { superseded_by: twin.id } : {}) });
  if (twin)
    moveTask(state, id, 'completed', now, {
      ...patch,
      outcome: 'skipped',
      error: `superseded by ${twin.id}`,
      step: undefined,
    });
  else moveTask(state, id, 'pending', now, { ...patch, step: undefined });
}

/**
 * Marks this daemon stopped (inside StateStore.update). A task still in_progress (an abort raced
 * its write) goes back to pending, so no task is left behind.
 */
export function releaseOwnership(
  state: State,
  me: Me,
  now: string,
  reason: string,
  session: Record<string, unknown>,
): void {
  for (const t of [...state.queues.in_progress]) requeue(state, t.id, now, {}, 'task_requeued');
  const p = state.processes.orchestrator;
  if (p && p.pid === me.pid) {
    p.status = 'stopped';
    p.last_heartbeat = now;
    p.stopped_at = now;
  }
  recordEvent(state, now, 'daemon_stopped', { pid: me.pid, reason, session });
}
