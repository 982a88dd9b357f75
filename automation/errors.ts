/** The base of every error fixloop reports: a stable `code`, a one-sentence message, a `cause`. */

/** `message` is one sentence naming the problem and the fix; each stage's errors extend this. */
export class FixloopError extends Error {
  readonly code: string;
  constructor(message: string, options: { code: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
  }
}
