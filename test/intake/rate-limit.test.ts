import { describe, expect, it } from 'vitest';
import { waitOf } from '../../automation/intake/errors.js';

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
});
