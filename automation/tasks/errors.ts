/** Errors of task operations (add, retry, respond, cancel). */
import { FixloopError } from '../errors.js';

/** Input a task cannot be made from: an empty description, a path outside the project, ... */
export class TaskInputError extends FixloopError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'BAD_ARGUMENTS', cause });
  }
}

/** A task id that is in no queue. */
export class TaskNotFoundError extends FixloopError {
  constructor(readonly taskId: string) {
    super(`No task with id ${taskId}; run "fixloop tasks" to list the known ids.`, {
      code: 'TASK_NOT_FOUND',
    });
  }
}

/** A task that exists but is in the wrong queue for the requested operation. */
export class TaskStateError extends FixloopError {
  constructor(
    message: string,
    readonly taskId: string,
  ) {
    super(message, { code: 'TASK_WRONG_STATE' });
  }
}
