/** Errors of the shared queue (CONTRACT.md §7). */
import { FixloopError } from '../errors.js';

/** Redis cannot be reached (down, wrong address, refused credentials): nothing was queued. */
export class QueueUnavailableError extends FixloopError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'QUEUE_UNAVAILABLE', cause });
  }
}

/** The project cannot use the shared queue as configured (no `origin`, no commit). */
export class QueueSetupError extends FixloopError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'QUEUE_SETUP', cause });
  }
}
