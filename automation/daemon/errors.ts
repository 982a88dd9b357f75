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
