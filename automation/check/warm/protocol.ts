/** Messages between the daemon and a warm runner's child (Node IPC, JSON). */

/** The runners kept warm: each has a driver in the child (vitest-driver.ts, jest/driver.ts). */
export const WARM_RUNNERS = ['vitest', 'jest'] as const;
/** A runner kept warm. */
export type WarmRunnerName = (typeof WARM_RUNNERS)[number];

/** What the child is started with (its first argument, as JSON); cwd is the setup's folder. */
export interface WarmStart {
  /** Which runner the child keeps (vitest when absent). */
  runner?: WarmRunnerName;
  /** The test script's scoping flags (`--project 'unit*'`, `--config x`), as the cold run gets. */
  scriptArgs: readonly string[];
}

/**
 * A run: tests related to `files` (`vitest related`, `jest --findRelatedTests`), these test files
 * (`vitest run`, `jest --runTestsByPath`), or the suite. Paths relative to the child's cwd.
 */
export interface RunRequest {
  id: number;
  kind: 'related' | 'files' | 'suite';
  files: readonly string[];
  /** Where this run's progress goes (instrument/progress.ts). */
  progressFile?: string;
}

/** `close`: end the runner and exit. */
export interface CloseRequest {
  id: number;
  kind: 'close';
}

export type WarmRequest = RunRequest | CloseRequest;

/** A finished run: what a cold runner process would have given (exit code, output, report). */
export interface RunReply {
  id: number;
  ok: true;
  exitCode: number;
  /** The runner's own output for this run (its default reporter), capped. */
  output: string;
  /** The JSON report, as vitest's `--reporter=json` or jest's `--json` writes it. */
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
  /** The runner's version. */
  version: string;
  restartFiles: string[];
}

/** The instance could not be made (an unsupported runner, a broken config…). */
export interface FatalMessage {
  type: 'fatal';
  error: string;
  /** Retrying cannot help (an unsupported runner version or option). */
  permanent?: boolean;
}

export type WarmMessage = RunReply | FailedReply | ReadyMessage | FatalMessage;
