/** Errors of running the daemon. */
import { FixloopError } from '../errors.js';

/** Another live daemon owns the state file. */
export class DaemonRunningError extends FixloopError {
  constructor(
    readonly pid: number,
    readonly host: string,
    stateFile: string,
  ) {
    super(
      `Another fixloop daemon (pid ${pid} on ${host}) already owns ${stateFile}; ` +
        'stop it first or set STATE_FILE to another path.',
      { code: 'DAEMON_RUNNING' },
    );
  }
}

/** A part of the daemon could not start (a taken STATUS_PORT, an unreadable project…). */
export class DaemonStartError extends FixloopError {
  constructor(cause: unknown) {
    const said = cause instanceof FixloopError ? cause.message : (cause as Error)?.message;
    super(
      cause instanceof FixloopError
        ? said
        : `fixloop could not start (${said ?? String(cause)}); nothing was left running.`,
      { code: 'DAEMON_START_FAILED', cause },
    );
  }
}
