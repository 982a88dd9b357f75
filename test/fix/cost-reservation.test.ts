import { describe, expect, it } from 'vitest';
import { UsageMeter } from '../../automation/claude/usage.js';

const clock = { now: () => 1_700_000_000_000 };

describe('the hourly cap across parallel workers', () => {
  it('holds calls and Claude Code budgets under way against the cap', () => {
    const usage = new UsageMeter(clock, 1);
    const run = usage.reserveBudget(0.6);
    expect(run?.budget).toBe(0.6);
    // Another run gets only what is left; then nothing is left for a call or a run.
    const second = usage.reserveBudget(0.6);
    expect(second?.budget).toBeCloseTo(0.4);
    expect(usage.reserve()).toBeUndefined();
    expect(usage.reserveBudget(0.1)).toBeUndefined();
    run?.release();
    run?.release(); // twice is once
    const call = usage.reserve();
    expect(call).toBeDefined();
    call?.();
    second?.release();
    expect(usage.reserveBudget(5)?.budget).toBe(1);
  });
});
