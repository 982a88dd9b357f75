/**
 * Which idle vitest pools the warm runner closes (the real vitest 5 case is shown in
 * warm-runner.test.ts: no watchdog is left between checks). Stand-ins for vitest's pool here:
 * browser mode and vitest 4.1 are not on this machine's warm tests.
 */
import { describe, expect, it } from 'vitest';
import { releaseIdlePool } from '../../automation/check/warm/idle-pool.js';
import type { VitestLike } from '../../automation/check/warm/vitest-like.js';

function vitestWith(browser: boolean, close: () => Promise<void>) {
  let closed = 0;
  const pool = {
    close: async () => {
      closed++;
      await close();
    },
  };
  const projects = [{ name: 'unit' }, { name: 'ui', config: { browser: { enabled: browser } } }];
  const vitest = { pool, projects } as unknown as VitestLike;
  return { vitest, closed: () => closed };
}

describe('the warm runner between vitest runs', () => {
  it('closes vitest 5’s idle pool (its watchdog goes with it); the next run makes a new one', async () => {
    const { vitest, closed } = vitestWith(false, async () => {});
    await releaseIdlePool(vitest, '5.1.2');
    expect(closed()).toBe(1);
    expect(vitest.pool).toBeUndefined();
  });

  it('keeps the pool in browser mode (its browsers stay open) and on vitest 4.1', async () => {
    for (const [browser, version] of [
      [true, '5.1.2'],
      [false, '4.1.12'],
    ] as const) {
      const { vitest, closed } = vitestWith(browser, async () => {});
      await releaseIdlePool(vitest, version);
      expect(closed()).toBe(0);
      expect(vitest.pool).toBeDefined();
    }
  });

  it('never rejects: a pool that fails to close, a pool that cannot be unset', async () => {
    const failing = vitestWith(false, async () => {
      throw new Error('worker would not stop');
    });
    await expect(releaseIdlePool(failing.vitest, '5.0.0')).resolves.toBeUndefined();
    expect(failing.vitest.pool).toBeUndefined();
    const fixed = vitestWith(false, async () => {});
    const pool = fixed.vitest.pool;
    Object.defineProperty(fixed.vitest, 'pool', { get: () => pool, configurable: true });
    await expect(releaseIdlePool(fixed.vitest, '5.0.0')).resolves.toBeUndefined();
    expect(fixed.closed()).toBe(0);
  });
});
