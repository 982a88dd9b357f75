/**
 * Attempts with backoff until one passes: each checks the hourly cap, runs one attempt, and on a
 * failure tells the next one why. A fix and a work order run the same loop.
 */
import pRetry, { AbortError } from 'p-retry';
import type { Verdict } from '../check/verdict.js';
import type { Config } from '../config/config.js';
import type { Attempt } from '../store/schema.js';
import { type AttemptDeps, type AttemptInput, type AttemptResult, runAttempt } from './attempt.js';
import { AttemptFailedError, CostCapError } from './errors.js';

export interface AttemptsDeps extends AttemptDeps {
  fix: Config['fix'];
  /** Null while under the hourly cap; otherwise the sentence saying so. */
  capMessage: () => string | null;
}

/** What the loop keeps between attempts (the caller reads it after a failure too). */
export interface AttemptsProgress {
  attempts: Attempt[];
  /** The failure the next attempt starts from (the last attempt's verdict). */
  current: Verdict;
  /** Why earlier attempts failed, told to the model. */
  earlier: string[];
}

/**
 * Runs attempts of `input` until one passes (returned, its edits kept), or throws: the last
 * AttemptFailedError, a CostCapError, or the error that stopped an attempt. `who` and `what`
 * name the console's speaker and the task ("task task_…", "work order task_…").
 */
export async function attemptUntilPassed(
  deps: AttemptsDeps,
  input: Omit<AttemptInput, 'n' | 'max' | 'failure' | 'earlier'>,
  progress: AttemptsProgress,
  say: { who: string; what: string; failed: (message: string) => string },
): Promise<Extract<AttemptResult, { kind: 'passed' }>> {
  const max = deps.fix.maxRetries + 1;
  return pRetry(
    async (n) => {
      const capped = deps.capMessage();
      if (capped) throw new AbortError(new CostCapError(capped));
      deps.console.line(say.who, `Attempt ${n}/${max} for ${say.what}`);
      const result = await runAttempt(deps, {
        ...input,
        n,
        max,
        failure: progress.current,
        earlier: progress.earlier,
      });
      progress.attempts.push(result.record);
      if (result.kind === 'passed') return result;
      if (result.kind === 'stopped') throw new AbortError(result.error);
      progress.earlier.push(result.note);
      progress.current = result.verdict;
      throw new AttemptFailedError(result.verdict, result.record.error ?? undefined);
    },
    {
      retries: deps.fix.maxRetries,
      factor: 2,
      minTimeout: deps.fix.retryMinDelayMs,
      maxTimeout: deps.fix.retryMaxDelayMs,
      randomize: true,
      signal: input.signal,
      onFailedAttempt: ({ error, retriesLeft }) =>
        deps.console.line(
          say.who,
          say.failed(`${error.message}${retriesLeft ? '; retrying' : ''}`),
        ),
    },
  );
}
