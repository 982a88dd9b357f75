/**
 * vitest's worker pool between warm runs. vitest (4.1 and 5) stops a run's workers when the run
 * ends, so vitest 5's idle pool holds only its watchdog: a whole Node process (~47 MB RSS) that
 * watches no worker. Closing the pool drops it; the next run makes a new pool and watchdog.
 */
import type { VitestLike } from './vitest-like.js';

/**
 * Closes `vitest`'s idle pool where that frees memory: vitest 5 outside browser mode (a browser
 * pool keeps its browsers open between runs on purpose, and 4.1's closed browser provider cannot
 * open a page again; 4.1 has no watchdog to drop). Never rejects: the run's verdict stands.
 */
export async function releaseIdlePool(vitest: VitestLike, version: string): Promise<void> {
  try {
    const pool = vitest.pool;
    if (!pool?.close || Number.parseInt(version, 10) < 5) return;
    if (vitest.projects.some((p) => p.config?.browser?.enabled)) return;
    vitest.pool = undefined;
    await pool.close();
  } catch {
    // A pool that cannot close is dropped anyway; a vitest whose pool cannot be unset keeps it.
  }
}
