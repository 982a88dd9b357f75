/**
 * The one way fixloop builds a GitHub client (escalation and intake): GITHUB_API_URL as base,
 * Octokit's own messages off the console, and every request time-limited and abortable.
 */
import { Octokit } from '@octokit/rest';

export interface OctokitOptions {
  token: string;
  apiUrl: string;
  /** Where Octokit's own messages go (its default is the console). */
  log?: (message: string) => void;
  /** Each request is given up after this long (a hanging GitHub must not hold fixloop). */
  timeoutMs?: number;
  /** Aborts every request under way (fixloop is stopping). */
  signal?: AbortSignal;
}

/** An Octokit for `options`; a request's own `signal` still applies. */
export function createOctokit(options: OctokitOptions): Octokit {
  const say = options.log ?? (() => {});
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/$/, ''),
    userAgent: 'fixloop',
    // 304s and 404s are answers callers expect, and failures are reported by them.
    log: { debug: say, info: say, warn: say, error: say },
  });
  // @octokit/request (fetch) has no timeout option: each request gets its own signal.
  const timeoutMs = options.timeoutMs ?? 30_000;
  octokit.hook.before('request', (request) => {
    const limits = [AbortSignal.timeout(timeoutMs)];
    if (options.signal) limits.push(options.signal);
    const own = request.request?.signal as AbortSignal | undefined;
    if (own) limits.push(own);
    request.request = { ...request.request, signal: AbortSignal.any(limits) };
  });
  return octokit;
}
