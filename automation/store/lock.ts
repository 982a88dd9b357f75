/** The one set of proper-lockfile options every fixloop process uses for the state lock. */
import { stat } from 'node:fs/promises';
import type { LockOptions } from 'proper-lockfile';

/**
 * A lock whose holder stopped refreshing it for this long is taken over (proper-lockfile's minimum
 * is 2000).
 */
export const DEFAULT_STALE_MS = 10_000;

/** How long a waiter keeps trying at least, however short `stale` is. */
const MIN_WAIT_MS = 60_000;

/** How often a held lock's mtime is refreshed: half the stale window, at least every second. */
export const refreshMs = (staleMs: number) => Math.max(1000, Math.floor(staleMs / 2));

/**
 * Lock options for a given stale window. proper-lockfile is not fair, so retries stay short
 * (≤ 50 ms, jittered) to keep a waiter from being starved by busier processes, and they go on
 * for over a minute, and at least 3 × stale, so a waiter always outlasts a dead holder's lock.
 */
export function lockOptions(
  lockfilePath: string,
  staleMs: number,
  onCompromised: (error: Error) => void,
): LockOptions {
  const maxTimeout = 50;
  return {
    lockfilePath,
    realpath: false,
    stale: staleMs,
    update: refreshMs(staleMs),
    retries: {
      retries: Math.ceil(Math.max(MIN_WAIT_MS, staleMs * 3) / maxTimeout),
      factor: 1.3,
      minTimeout: 2,
      maxTimeout,
      randomize: true,
    },
    onCompromised,
  };
}

/**
 * Which lock directory this is (inode and birth time), or undefined when there is none: a
 * re-created lock differs.
 */
export async function lockIdentity(lockfilePath: string): Promise<string | undefined> {
  try {
    const s = await stat(lockfilePath);
    return `${s.ino}:${s.birthtimeMs}`;
  } catch {
    return undefined;
  }
}
