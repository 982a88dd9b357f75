/** The status report: is the daemon alive, and what is it doing? Plain data read from the state. */
import { hostname } from 'node:os';
import { type FrequentFlaky, frequentFlaky } from '../check/flaky-history.js';
import { pidAlive } from '../daemon/ownership.js';
import { QUEUE_NAMES, type QueueName, type State, type Task } from '../store/schema.js';
import { verificationLine, verificationOf } from '../work/verification.js';

export type DaemonState = 'running' | 'stale' | 'stopped' | 'never_started';

export interface StatusReport {
  daemon: DaemonState;
  /** Why the daemon is considered stale, when it is. */
  stale_reason: string | null;
  process_status: string | null;
  pid: number | null;
  /** Whether the daemon's process is alive; null when it runs on another host (unknowable). */
  process_alive: boolean | null;
  host: string | null;
  project_root: string | null;
  started_at: string | null;
  uptime_seconds: number | null;
  last_heartbeat: string | null;
  heartbeat_age_seconds: number | null;
  heartbeat_interval_seconds: number;
  queues: Record<QueueName, number>;
  /** The same counts for saves of the working tree and for work orders, apart. */
  saves: Record<QueueName, number>;
  work_orders: Record<QueueName, number>;
  /** Work orders being carried out now, with their step. */
  work_in_progress: Array<Pick<Task, 'id' | 'description'> & { step: string | null }>;
  current_task:
    | (Pick<Task, 'id' | 'type' | 'file_path' | 'description'> & {
        step: string | null;
        elapsed_seconds: number;
        /** The test it has been running a while (a hung test, say), and for how long. */
        running: {
          name: string | null;
          file: string | null;
          location?: string;
          seconds: number;
        } | null;
      })
    | null;
  recent: Array<
    Pick<Task, 'id' | 'type' | 'file_path' | 'outcome' | 'updated_at'> & {
      error: string | null;
      /** A finished work order's branch. */
      branch: string | null;
      /** Its pull request, once opened. */
      pr_url: string | null;
      /** The GitHub issue it came from. */
      issue: number | null;
      /** Failures that were already there before the change (not the task's). */
      known_failures: number;
      /** Failing tests that passed when run again (flaky, not the task's). */
      flaky: number;
      /** A work order's verification in one line (`2 tests prove it · 14 related pass`). */
      verification: string | null;
    }
  >;
  open_breakers: Array<{ file: string; [k: string]: unknown }>;
  /** Tests flaky three times or more within the last day. */
  flaky_tests: FrequentFlaky[];
  escalations: Array<Record<string, unknown>>;
  usage: Record<string, unknown>;
  state_file: string;
}

const seconds = (ms: number) => Math.max(0, Math.round(ms / 100) / 10);

/** The test a check has been running a while, as the check recorded it on its task. */
function runningOf(task: Task, now: number): NonNullable<StatusReport['current_task']>['running'] {
  const r = task.running as
    | { name?: string | null; file?: string | null; location?: string; since?: string }
    | undefined;
  if (!r?.since) return null;
  return {
    name: r.name ?? null,
    file: r.file ?? null,
    ...(r.location ? { location: r.location } : {}),
    seconds: Math.round(seconds(now - Date.parse(r.since))),
  };
}

/** What the report needs besides the state. */
export interface ReportOptions {
  /** The configured heartbeat period, used when the state does not record the daemon's own. */
  heartbeatMs: number;
  stateFile: string;
}

/** Builds the status report from a state read at `now` (ms). */
export function statusReport(state: State, options: ReportOptions, now: number): StatusReport {
  const proc = state.processes.orchestrator;
  const intervalS =
    typeof proc?.heartbeat_interval_seconds === 'number'
      ? proc.heartbeat_interval_seconds
      : options.heartbeatMs / 1000;
  const heartbeatAge = proc ? now - Date.parse(proc.last_heartbeat) : null;

  let daemon: DaemonState = 'never_started';
  let staleReason: string | null = null;
  const alive = proc && proc.host === hostname() ? pidAlive(proc.pid) : null;
  if (proc && proc.status !== 'stopped') {
    daemon = 'running';
    if (alive === false) staleReason = `process ${proc.pid} is no longer running`;
    else if (heartbeatAge !== null && heartbeatAge > 2 * intervalS * 1000)
      staleReason = `last heartbeat ${seconds(heartbeatAge)} s ago, expected every ${intervalS} s`;
    if (staleReason) daemon = 'stale';
  } else if (proc) {
    daemon = 'stopped';
  }

  const isWork = (t: Task) => t.type === 'work';
  const count = (keep: (t: Task) => boolean) =>
    Object.fromEntries(QUEUE_NAMES.map((q) => [q, state.queues[q].filter(keep).length])) as Record<
      QueueName,
      number
    >;
  const current = state.queues.in_progress.find((t) => !isWork(t));
  const finished = [...state.queues.completed, ...state.queues.failed].sort((a, b) =>
    b.updated_at.localeCompare(a.updated_at),
  );
  return {
    daemon,
    stale_reason: staleReason,
    process_status: proc?.status ?? null,
    pid: proc?.pid ?? null,
    process_alive: daemon === 'stopped' ? null : alive,
    host: proc?.host ?? null,
    project_root: proc?.project_root ?? null,
    started_at: proc?.started_at ?? null,
    uptime_seconds:
      proc && daemon !== 'stopped' ? seconds(now - Date.parse(proc.started_at)) : null,
    last_heartbeat: proc?.last_heartbeat ?? null,
    heartbeat_age_seconds: heartbeatAge === null ? null : seconds(heartbeatAge),
    heartbeat_interval_seconds: intervalS,
    queues: Object.fromEntries(QUEUE_NAMES.map((q) => [q, state.queues[q].length])) as Record<
      QueueName,
      number
    >,
    saves: count((t) => !isWork(t)),
    work_orders: count(isWork),
    work_in_progress: state.queues.in_progress.filter(isWork).map((t) => ({
      id: t.id,
      description: t.description,
      step: typeof t.step === 'string' ? t.step : null,
    })),
    current_task: current
      ? {
          id: current.id,
          type: current.type,
          file_path: current.file_path,
          description: current.description,
          step: typeof current.step === 'string' ? current.step : null,
          elapsed_seconds: seconds(now - Date.parse(current.updated_at)),
          running: runningOf(current, now),
        }
      : null,
    recent: finished.slice(0, 5).map((t) => ({
      id: t.id,
      type: t.type,
      file_path: t.file_path,
      outcome: t.outcome,
      updated_at: t.updated_at,
      error: t.error ?? null,
      branch: t.result?.branch ?? null,
      pr_url: t.result?.pr_url ?? null,
      issue: t.source?.kind === 'github' ? ((t.source.issue as number) ?? null) : null,
      known_failures: Array.isArray(t.known_failures) ? t.known_failures.length : 0,
      flaky: Array.isArray(t.flaky) ? t.flaky.length : 0,
      verification: ((v) => (v ? verificationLine(v) : null))(verificationOf(t.result)),
    })),
    open_breakers: Object.entries(state.breakers)
      .filter(([, b]) => (b as { state?: string }).state === 'open')
      .map(([file, b]) => ({ file, ...(b as object) })),
    flaky_tests: frequentFlaky(state, now),
    escalations: state.escalations.slice(-5).reverse(),
    usage: state.usage,
    state_file: options.stateFile,
  };
}
