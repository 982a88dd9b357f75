/** Messages between the daemon and a warm vitest child (Node IPC, JSON). */

/** What the child is started with (its first argument, as JSON); cwd is the setup's folder. */
export interface WarmStart {
  /** The test script's scoping flags (`--project 'unit*'`, `--config x`), as the cold run gets. */
  scriptArgs: readonly string[];
}

/**
 * A run: tests related to `files` (as `vitest related`), these test files (as `vitest run`), or
 * the suite. Paths relative to the child's cwd.
 */
export interface RunRequest {
  id: number;
  kind: 'related' | 'files' | 'suite';
  files: readonly string[];
  /** Where this run's progress goes (instrument/progress.ts). */
  progressFile?: string;
}

/** `close`: end vitest and exit. */
export interface CloseRequest {
  id: number;
  kind: 'close';
}

export type WarmRequest = RunRequest | CloseRequest;

/** A finished run: what a cold `vitest` process would have given (exit code, output, report). */
export interface RunReply {
  id: number;
  ok: true;
  exitCode: number;
  /** vitest's own output for this run (the default reporter), capped. */
  output: string;
  /** The JSON reporter's report, as `--reporter=json` writes it. */
  report: string | undefined;
  durationMs: number;
  /** The child's resident memory after the run, in bytes. */
  rss: number;
}

export interface FailedReply {
  id: number;
  ok: false;
  error: string;
}

/** The instance is up: which files, when changed, need a new one. */
export interface ReadyMessage {
  type: 'ready';
  vitestVersion: string;
  restartFiles: string[];
}

/** The instance could not be made (unsupported vitest, a broken config…). */
export interface FatalMessage {
  type: 'fatal';
  error: string;
  /** Retrying cannot help (an unsupported vitest). */
  permanent?: boolean;
}

export type WarmMessage = RunReply | FailedReply | ReadyMessage | FatalMessage;
