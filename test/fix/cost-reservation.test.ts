/**
 * The hourly cap across parallel workers: calls and Claude Code budgets under way are held against
 * it; a call that does not fit only because of them waits for them (never failed below the cap),
 * until its deadline; only the hour's real spend at the cap refuses a call.
 */
import { describe, expect, it } from 'vitest';
import { UsageMeter } from '../../automation/claude/usage.js';

const clock = { now: () => 1_700_000_000_000 };
const pending = Symbol('pending');
/** What `p` has settled to by now, or `pending`. */
const now = async <T>(p: Promise<T>) => Promise.race([p, Promise.resolve().then(() => pending)]);

describe('the hourly cap across parallel workers', () => {
  it('holds what is under way; a call that does not fit waits for it, never fails', async () => {
    const usage = new UsageMeter(clock, 1);
    const run = await usage.admitBudget(0.6);
    expect(run?.budget).toBe(0.6);
    // Another run gets only what is left.
    const second = await usage.admitBudget(0.6);
    expect(second?.budget).toBeCloseTo(0.4);
    // Nothing is left: a call waits (it is not refused: nothing was spent).
    const call = usage.admit();
    expect(await now(call)).toBe(pending);
    run?.release();
    run?.release(); // twice is once
    const admitted = await call;
    expect(admitted).toBeTypeOf('function');
    admitted?.();
    second?.release();
    expect((await usage.admitBudget(5))?.budget).toBe(1);
  });

  it('refuses at the real spend, and a waiting call ends at its deadline', async () => {
    const usage = new UsageMeter(clock, 1);
    const held = await usage.admitBudget(1);
    const deadline = new AbortController();
    const waiting = usage.admit(deadline.signal);
    deadline.abort(new Error('the attempt took too long'));
    await expect(waiting).rejects.toThrow('the attempt took too long');
    held?.release();
    usage.record('claude-sonnet-4-5', { input_tokens: 200_000, output_tokens: 30_000 });
    expect(usage.lastHour()).toBeGreaterThanOrEqual(1);
    expect(await usage.admit()).toBeUndefined();
    expect(await usage.admitBudget(1)).toBeUndefined();
  });

  it('with the shared ledger gone, what it said last counts for its hour, then no longer', async () => {
    let t = 1_700_000_000_000;
    let reachable = true;
    const ledger = {
      hold: async () => {
        if (!reachable) throw new Error('ECONNREFUSED');
        return { kind: 'cap' as const, spent: 2 };
      },
      release: async () => {},
      add: async () => {},
    };
    const usage = new UsageMeter({ now: () => t }, 1, async () => ledger);
    expect(await usage.admit()).toBeUndefined(); // at the cap, across the queue
    reachable = false;
    expect(await usage.admit()).toBeUndefined(); // still: that spend was this hour's
    t += 61 * 60_000;
    expect(await usage.admit()).toBeTypeOf('function'); // an hour on, it no longer holds
  });
});
