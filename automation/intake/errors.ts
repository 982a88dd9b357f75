/** Errors of the GitHub intake, matched by class. */
import { FixloopError } from '../errors.js';

/** GitHub refused or could not be reached; `waitMs` when it asked us to wait (rate limit). */
export class GitHubApiError extends FixloopError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly waitMs: number | undefined,
    cause?: unknown,
  ) {
    super(message, { code: 'GITHUB_API', cause });
  }
}

/** What an Octokit failure carries. */
export interface Failure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
  cause?: { code?: string | number; name?: string };
}

/** How long GitHub asked us to wait: `retry-after`, or the reset of a spent rate limit. */
export function waitOf(headers: Record<string, string | undefined>, now: number) {
  const after = Number(headers['retry-after']);
  if (Number.isFinite(after) && after >= 0) return after * 1000;
  const reset = Number(headers['x-ratelimit-reset']);
  if (headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset))
    return Math.max(0, reset * 1000 - now);
  return undefined;
}

/** One sentence for an Octokit failure, and the wait GitHub asked for. */
export function wrap(error: unknown, what: string, timeoutMs = 30_000): GitHubApiError {
  const e = error as Failure;
  // Octokit reports a request it gave up on (our time limit) as an HTTP 500 with the abort.
  if (e.cause?.name === 'TimeoutError') {
    const secs = Math.round(timeoutMs / 1000);
    return new GitHubApiError(
      `GitHub did not answer ${what} (timed out after ${secs} s)`,
      undefined,
      undefined,
      error,
    );
  }
  if (e.status) {
    const wait = waitOf(e.response?.headers ?? {}, Date.now());
    const limited = wait !== undefined && (e.status === 403 || e.status === 429);
    const why = limited ? 'rate limit reached' : (e.message ?? '').split('\n')[0]?.slice(0, 200);
    return new GitHubApiError(
      `GitHub answered HTTP ${e.status} to ${what}${why ? ` (${why})` : ''}`,
      e.status,
      limited ? wait : undefined,
      error,
    );
  }
  const cause = e.cause?.code ?? e.message ?? String(error);
  return new GitHubApiError(
    `GitHub could not be reached for ${what}: ${cause}`,
    undefined,
    undefined,
    error,
  );
}
