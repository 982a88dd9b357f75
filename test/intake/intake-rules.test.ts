import { describe, expect, it } from 'vitest';
import { GitHubApiError, waitOf, wrap } from '../../automation/intake/errors.js';
import { issueOnly } from '../../automation/intake/issue-sync.js';
import { priorityOf, retryable } from '../../automation/intake/issue-tasks.js';
import type { Task } from '../../automation/store/schema.js';

describe('GitHub rate limits', () => {
  it('waits for retry-after, else for the reset of a spent limit, else not at all', () => {
    const now = 1_700_000_000_000;
    expect(waitOf({ 'retry-after': '30' }, now)).toBe(30_000);
    const reset = String(now / 1000 + 90);
    expect(waitOf({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, now)).toBe(90_000);
    // A limit with calls left is no reason to wait; a reset in the past waits 0.
    expect(waitOf({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': reset }, now)).toBe(
      undefined,
    );
    const past = String(now / 1000 - 5);
    expect(waitOf({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': past }, now)).toBe(0);
    expect(waitOf({}, now)).toBeUndefined();
  });

  it('blames one issue only for 404, 410 and 422; waits out the rest', () => {
    const status = (n: number | undefined) => issueOnly(new GitHubApiError('x', n, undefined));
    expect([404, 410, 422].map(status)).toEqual([true, true, true]);
    // A bad token, a secondary rate limit without headers, GitHub down, no answer at all.
    expect([401, 403, 429, 502, undefined].map(status)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(issueOnly(new Error('x'))).toBe(false);
  });
});

describe('GitHub failures in one sentence', () => {
  it('says a request fixloop gave up on timed out, never "HTTP 500"', () => {
    // What Octokit throws when the request's time limit aborts it.
    const aborted = Object.assign(new Error('The operation was aborted due to timeout'), {
      status: 500,
      cause: { name: 'TimeoutError', code: 23 },
    });
    const error = wrap(aborted, 'the labelled issues', 30_000);
    expect(error.message).toBe('GitHub did not answer the labelled issues (timed out after 30 s)');
    expect(error.message).not.toMatch(/500/);
    expect(wrap({ status: 502, message: 'Bad gateway' }, 'x').message).toMatch(/HTTP 502/);
  });
});

describe('issue orders', () => {
  const failed = (extra: Partial<Task> & { attempt?: number }) =>
    ({
      status: 'failed',
      source: { kind: 'github', issue: 3, url: '', attempt: extra.attempt ?? 1 },
      ...extra,
    }) as Task;

  it('retries a failed order while attempts remain, never one stopped by the cost cap', () => {
    expect(retryable(failed({}), 2)).toBe(true);
    expect(retryable(failed({ attempt: 2 }), 2)).toBe(false);
    expect(retryable(failed({ cost_capped: true }), 2)).toBe(false);
  });

  it('reads priority labels without regard to case', () => {
    expect(priorityOf(['bug', 'Priority:High'])).toBe('high');
    expect(priorityOf(['priority:critical', 'priority:low'])).toBe('critical');
    expect(priorityOf(['fixloop'])).toBe('normal');
  });
});
