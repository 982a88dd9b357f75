/**
 * With QUEUE_URL the hourly cap holds across every worker: two meters (as two worker processes
 * have) share one spend ledger in a real Redis; a call that does not fit only because of the other
 * worker's call under way waits for it, and the real spend at the cap refuses both.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { UsageMeter } from '../../automation/claude/usage.js';
import { redisLedger } from '../../automation/queue/spend-ledger.js';
import { startRedis } from '../support/redis.js';

const clock = { now: () => Date.now() };
const pending = Symbol('pending');
const soon = <T>(p: Promise<T>, ms = 600) =>
  Promise.race([p, new Promise<typeof pending>((r) => setTimeout(() => r(pending), ms))]);

describe('the hourly cap across the workers of a shared queue', () => {
  it('is one cap: calls under way elsewhere are waited for, spend elsewhere counts', async () => {
    const redis = await startRedis();
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    const [a, b] = clients.map(
      (c) => new UsageMeter(clock, 1, async () => redisLedger(c, 'fixloop-test')),
    ) as [UsageMeter, UsageMeter];
    try {
      const run = await a.admitBudget(0.98);
      expect(run?.budget).toBeCloseTo(0.98);
      // Worker b: what is left is less than one call; it waits for a's run (not refused).
      const waiting = b.admit();
      expect(await soon(waiting)).toBe(pending);
      run?.release();
      const admitted = await waiting;
      expect(admitted).toBeTypeOf('function');
      admitted?.();
      // a spends the hour's cap; b, which spent nothing, is refused.
      a.record('claude-sonnet-4-5', { input_tokens: 200_000, output_tokens: 30_000 });
      await a.flush(); // the spend has reached Redis
      expect(await b.admit()).toBeUndefined();
      expect(b.capText()).toMatch(/hourly cost cap reached \(\$1\.05 of \$1/);
    } finally {
      for (const c of clients) c.disconnect();
    }
  }, 30_000);
});
