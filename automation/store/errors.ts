/** Errors of the state store. */
import { FixloopError } from '../errors.js';

/** The state lock could not be taken, or was lost while an update was in flight. */
export class StateLockError extends FixloopError {
  constructor(
    message: string,
    code: 'STATE_LOCK_TIMEOUT' | 'STATE_LOCK_COMPROMISED',
    cause?: unknown,
  ) {
    super(message, { code, cause });
  }
}

/** The state file could not be written (disk full, permissions, ...). Nothing was changed. */
export class StateWriteError extends FixloopError {
  constructor(file: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    super(
      `Could not write the state file ${file} (${reason}); ` +
        'free disk space or fix its permissions, nothing was changed.',
      { code: 'STATE_WRITE_FAILED', cause },
    );
  }
}

/** The state file exists but cannot be read (permissions). */
export class StateReadError extends FixloopError {
  constructor(file: string, cause: unknown) {
    const reason = (cause as NodeJS.ErrnoException | undefined)?.code ?? String(cause);
    super(`Could not read the state file ${file} (${reason}); fix its permissions.`, {
      code: 'STATE_READ_FAILED',
      cause,
    });
  }
}

/** The state file was written by a newer fixloop whose format this one cannot read. */
export class StateVersionError extends FixloopError {
  constructor(file: string, version: number) {
    super(
      `The state file ${file} has format version ${version}, newer than this fixloop ` +
        'understands; upgrade fixloop or set STATE_FILE to another path.',
      { code: 'STATE_VERSION_UNSUPPORTED' },
    );
  }
}
