/** Errors of work orders: queuing, carrying out, applying. */
import { FixloopError } from '../errors.js';

/** A work order asked for outside a git repository (exit 2). */
export class NotARepositoryError extends FixloopError {
  constructor(root: string) {
    super(
      `${root} is not in a git repository; work orders are carried out on branches, so run ` +
        '"git init" and commit first (or use "fixloop check" to test and fix the working tree).',
      { code: 'NOT_A_REPOSITORY' },
    );
  }
}

/** A step of carrying out a work order failed; the message is the task's `error`. */
export class WorkError extends FixloopError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'WORK_FAILED', cause });
  }
}

/** `fixloop apply` refused: nothing was changed in the working tree. */
export class ApplyRefusedError extends FixloopError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'APPLY_REFUSED', cause });
  }
}
