/** Seams where the fix loop and escalation plug into the event loop. */
import type { FailingTest, Verdict } from '../check/verdict.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { DaemonConsole } from '../output/console.js';
import type { Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import type { Transcribe } from '../transcript/writer.js';
import type { Workspace } from '../workspace/workspace.js';
import type { HealthReport } from './health.js';

/** What every stage of the daemon is built with: the frozen config and the side-effect seams. */
export interface CoreDeps {
  config: Config;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  console: DaemonConsole;
  /** The developer's working tree: where saves are checked and fixed. */
  workspace: Workspace;
  /** The tasks' transcripts (`fixloop logs`); none when absent. */
  transcript?: Transcribe;
}

/** What happened to a task whose tests failed, once the fixer is done with it. */
export type FixResult =
  | { kind: 'fixed'; verdict: Verdict; patch?: Record<string, unknown> }
  | { kind: 'failed'; error: string; verdict: Verdict | undefined; patch?: Record<string, unknown> }
  | { kind: 'needs_input'; question: string; patch?: Record<string, unknown> }
  /** The user edited a file mid-fix, or the daemon is stopping: back to pending. */
  | { kind: 'requeue'; reason: string; patch?: Record<string, unknown> }
  /** Its failures became known failures (HEAD moved): nothing to fix, nothing kept. */
  | { kind: 'clean'; known: readonly FailingTest[]; patch?: Record<string, unknown> };

/** Where and how one fix runs: its workspace, the daemon's stop signal, and a step reporter. */
export interface FixRun {
  workspace: Workspace;
  signal: AbortSignal;
  /** Records the task's current step (shown by status and the dashboard). */
  step: (name: string) => void;
}

export interface FixStage {
  /** Null when fixing is possible; otherwise why not (printed once at start). */
  readonly unavailableReason: string | null;
  fix(task: Task, verdict: Verdict, run: FixRun): Promise<FixResult>;
  /** Undoes interrupted attempts in `workspace`, restores breakers and the hour's spend. */
  init?(workspace: Workspace): Promise<void>;
  /** Releases timers at shutdown. */
  close?(): void;
}

/**
 * Told about finished tasks (failures are escalated, fixes may close earlier escalations). Never
 * blocks the loop.
 */
export interface TaskObserver {
  /** A work order begins (its parents are done). */
  taskStarted?(task: Task): void;
  taskFinished(task: Task, verdict: Verdict | undefined): void;
  taskNeedsInput?(task: Task): void;
  /** After each failed health check, with the number of failures in a row. */
  healthFailed?(report: HealthReport, consecutive: number): void;
  /** Waits, at most `timeoutMs`, for work still under way (shutdown). */
  drain?(timeoutMs: number): Promise<void>;
}

/**
 * Something that runs alongside the daemon (the status server): started after the watcher, stopped
 * at shutdown.
 */
export interface Service {
  readonly name: string;
  /** Resolves to a line for the console (none when empty) and a URL to record, if any. */
  start(): Promise<{ line: string; url?: string }>;
  stop(): Promise<void>;
  /** Stopped only once the last task has ended (what a running check still uses). */
  readonly stopsLast?: boolean;
}
