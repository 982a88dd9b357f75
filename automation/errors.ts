/** Typed errors: every failure the CLI can report has a stable `code` and an exit code. */

/** Exit codes of the contract (CONTRACT.md §1). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  badInput: 2,
  notRunning: 3,
  stale: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: `message` is one sentence naming the problem and the fix. */
export class FixloopError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  constructor(message: string, options: { code: string; exitCode?: ExitCode; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** One or more invalid configuration values; `problems` holds one line per variable. */
export class ConfigError extends FixloopError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], cause?: unknown) {
    const n = problems.length;
    super(
      `Invalid configuration (${n} problem${n === 1 ? '' : 's'}); fix ${n === 1 ? 'it' : 'them'} in the environment or in .env:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
      { code: 'CONFIG_INVALID', exitCode: ExitCode.badInput, cause },
    );
    this.problems = problems;
  }
}

/** Bad command-line arguments. */
export class UsageError extends FixloopError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'BAD_ARGUMENTS', exitCode: ExitCode.badInput, cause });
  }
}

/** A task id that is in no queue. */
export class TaskNotFoundError extends FixloopError {
  constructor(readonly taskId: string) {
    super(`No task with id ${taskId}; run "fixloop tasks" to list the known ids.`, { code: 'TASK_NOT_FOUND' });
  }
}

/** A task that exists but is in the wrong queue for the requested operation. */
export class TaskStateError extends FixloopError {
  constructor(message: string, readonly taskId: string) {
    super(message, { code: 'TASK_WRONG_STATE' });
  }
}

/** Another live daemon owns the state file. */
export class DaemonRunningError extends FixloopError {
  constructor(readonly pid: number, readonly host: string, stateFile: string) {
    super(
      `Another fixloop daemon (pid ${pid} on ${host}) already owns ${stateFile}; stop it first or set STATE_FILE to another path.`,
      { code: 'DAEMON_RUNNING', exitCode: ExitCode.notRunning },
    );
  }
}

/** The state lock could not be taken, or was lost while an update was in flight. */
export class StateLockError extends FixloopError {
  constructor(message: string, code: 'STATE_LOCK_TIMEOUT' | 'STATE_LOCK_COMPROMISED', cause?: unknown) {
    super(message, { code, cause });
  }
}

/** The state file could not be written (disk full, permissions, ...). Nothing was changed. */
export class StateWriteError extends FixloopError {
  constructor(file: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    super(`Could not write the state file ${file} (${reason}); free disk space or fix its permissions, nothing was changed.`, {
      code: 'STATE_WRITE_FAILED',
      cause,
    });
  }
}

/** The state file was written by a newer fixloop whose format this one cannot read. */
export class StateVersionError extends FixloopError {
  constructor(file: string, version: number) {
    super(`The state file ${file} has format version ${version}, newer than this fixloop understands; upgrade fixloop or set STATE_FILE to another path.`, {
      code: 'STATE_VERSION_UNSUPPORTED',
    });
  }
}

/** Maps any thrown value to an exit code and a printable message. */
export function describeError(error: unknown): { exitCode: ExitCode; message: string; code: string } {
  if (error instanceof FixloopError) return { exitCode: error.exitCode, message: error.message, code: error.code };
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: ExitCode.failure, message: `Unexpected error: ${message}`, code: 'UNEXPECTED' };
}
