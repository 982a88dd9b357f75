/** Errors of the fix engine: why an attempt or a fix stopped. Matched by class, never by string. */

import { failureReason } from '../check/record.js';
import type { FailingTest, Verdict } from '../check/verdict.js';
import { FixloopError } from '../errors.js';

/**
 * The user changed a file after the fixer read it: the attempt must stop and write nothing more.
 */
export class UserEditError extends FixloopError {
  constructor(
    readonly rel: string,
    detail = 'was changed by the user while the fix was being made; the user\u2019s version wins',
  ) {
    super(`${rel} ${detail}`, { code: 'USER_EDIT' });
  }
}

/** An attempt whose tests still fail (retryable). */
export class AttemptFailedError extends FixloopError {
  /** `reason`: what really ended the attempt (no edit, a refused edit…), else the verdict's. */
  constructor(
    readonly verdict: Verdict,
    reason?: string,
  ) {
    super(reason ?? failureReason(verdict), { code: 'ATTEMPT_FAILED' });
  }
}

/** The model only tried edits the sandbox refuses: retrying would not help. */
export class NoEditError extends FixloopError {
  constructor(message: string) {
    super(message, { code: 'NO_EDIT' });
  }
}

/** Restoring an attempt's files failed (disk full, permissions): its journal stays for a replay. */
export class RollbackError extends FixloopError {
  constructor(n: number, cause: unknown) {
    super(
      `attempt ${n} could not be rolled back (${(cause as Error).message}); its journal is kept ` +
        'and replayed before the next fix (or at the next start)',
      { code: 'ROLLBACK_FAILED', cause },
    );
  }
}

/** A rollback journal that cannot be read or replayed: no fix starts until it is. */
export class JournalError extends FixloopError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'JOURNAL_BLOCKED', cause });
  }
}

/** The hourly cost cap was reached: no model call until the window allows. */
export class CostCapError extends FixloopError {
  constructor(message: string) {
    super(message, { code: 'COST_CAP' });
  }
}

/** The daemon stopped the fix (shutdown or a second signal). */
export class FixAbortedError extends FixloopError {
  constructor(message = 'aborted') {
    super(message, { code: 'FIX_ABORTED' });
  }
}

/**
 * The failure a fix was working on became a known failure meanwhile (HEAD moved: the failing test
 * was committed): nothing is left to fix, and nothing the attempt wrote is kept.
 */
export class BecameKnownError extends FixloopError {
  constructor(readonly known: readonly FailingTest[]) {
    const names = known.map((f) => f.name).join(', ');
    super(`its failure is now a known failure (it fails at HEAD too): ${names}`, {
      code: 'BECAME_KNOWN',
    });
  }
}
