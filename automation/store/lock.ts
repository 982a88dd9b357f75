/** The one set of proper-lockfile options every fixloop process uses for the state lock. */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
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

/** The retry schedule of a waiter, for a given stale window. */
export function lockRetries(staleMs: number) {
  const maxTimeout = 50;
  return {
    retries: Math.ceil(Math.max(MIN_WAIT_MS, staleMs * 3) / maxTimeout),
    factor: 1.3,
    minTimeout: 2,
    maxTimeout,
    randomize: true,
  };
}

/**
 * Takes the state lock; resolves to its release. proper-lockfile is not fair, so retries stay
 * short (≤ 50 ms, jittered) to keep a waiter from being starved by busier processes, and they go
 * on for over a minute, and at least 3 × stale, so a waiter always outlasts a dead holder's lock.
 * Only a held lock is waited for: proper-lockfile's own retries would also wait a minute on a
 * read-only or forbidden folder, which no waiting fixes.
 */
export async function acquireLock(
  file: string,
  lockfilePath: string,
  staleMs: number,
  onCompromised: (error: Error) => void,
): Promise<() => Promise<void>> {
  // Loaded on the first update: read-only commands never pay for them.
  const [{ default: lockfile }, { default: pRetry }] = await Promise.all([
    import('proper-lockfile'),
    import('p-retry'),
  ]);
  const options: LockOptions = {
    lockfilePath,
    realpath: false,
    stale: staleMs,
    update: refreshMs(staleMs),
    retries: 0,
    onCompromised,
  };
  return pRetry(() => lockfile.lock(file, options), {
    ...lockRetries(staleMs),
    shouldRetry: ({ error }) => (error as NodeJS.ErrnoException).code === 'ELOCKED',
  });
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

/**
 * Why the lock could not be taken, with the advice that fits: deleting the lock directory helps
 * only when another process holds it, never when the folder is not writable.
 */
export function lockAdvice(lockFile: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const dir = dirname(lockFile);
  if (code === 'EACCES' || code === 'EPERM')
    return (
      `Could not lock ${lockFile} (${code}): this user may not write in ${dir}; fix its ` +
      'permissions or point STATE_FILE at a writable place.'
    );
  if (code === 'EROFS')
    return (
      `Could not lock ${lockFile} (EROFS): ${dir} is on a read-only file system; point ` +
      'STATE_FILE at a writable place.'
    );
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return `Could not lock ${lockFile} (${code}): the disk is full; free some space.`;
  if (code === 'ELOCKED')
    return (
      `Could not lock ${lockFile}: another fixloop process holds it; if none is running, ` +
      'delete that lock directory.'
    );
  return (
    `Could not lock ${lockFile} (${code ?? String(error)}); if no fixloop process is ` +
    'running, delete that lock directory.'
  );
}
