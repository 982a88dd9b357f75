/** The one place errors become exit codes and printable sentences (CONTRACT.md §1). */
import { ConfigError } from '../config/errors.js';
import { DaemonRunningError } from '../daemon/errors.js';
import { FixloopError } from '../errors.js';
import { QueueSetupError } from '../queue/errors.js';
import { TaskInputError } from '../tasks/errors.js';
import { NotARepositoryError } from '../work/errors.js';

/** Exit codes of the contract. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  badInput: 2,
  notRunning: 3,
  stale: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad command-line arguments the parser could not catch. */
export class UsageError extends FixloopError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'BAD_ARGUMENTS', cause });
  }
}

/** The exit code for an error, matched by class. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof ConfigError || error instanceof UsageError) return ExitCode.badInput;
  if (error instanceof TaskInputError || error instanceof NotARepositoryError)
    return ExitCode.badInput;
  if (error instanceof QueueSetupError) return ExitCode.badInput;
  if (error instanceof DaemonRunningError) return ExitCode.notRunning;
  return ExitCode.failure;
}

/** Maps any thrown value to an exit code, a printable message and a stable code. */
export function describeError(error: unknown): {
  exitCode: ExitCode;
  message: string;
  code: string;
} {
  if (error instanceof FixloopError) {
    return { exitCode: exitCodeFor(error), message: error.message, code: error.code };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: ExitCode.failure,
    message: `Unexpected error: ${message}`,
    code: 'UNEXPECTED',
  };
}
