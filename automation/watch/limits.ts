/** The OS's limits on watching: what they mean, what to do, and what a restart must catch up on. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { toRelative } from '../fs/paths.js';

/** Errors after which the watcher may have lost what it watches. */
export const LIMITS = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);

/** Message for ENOSPC/EMFILE from the OS's file watching. */
export function watchLimitMessage(code: string): string {
  return code === 'EMFILE'
    ? 'The OS ran out of file handles while watching (EMFILE); ' +
        'raise the limit (ulimit -n 65536) or add big directories to WATCH_IGNORE. ' +
        'Falling back to polling.'
    : 'The OS ran out of file watches (ENOSPC, the inotify limit); ' +
        'raise it with "sudo sysctl fs.inotify.max_user_watches=524288" ' +
        '(and persist it in /etc/sysctl.conf) or add big directories to WATCH_IGNORE. ' +
        'Falling back to polling.';
}

/** File times come from a coarse kernel clock: a save just after `since` may read a bit before. */
const CLOCK_SLACK_MS = 2000;

/** Files of `watched` (chokidar's dir → names) modified since `since`: saves made while down. */
export async function changedSince(
  watched: Record<string, string[]>,
  since: number,
  root: string,
  isWatched: (rel: string) => boolean,
): Promise<string[]> {
  const changed: string[] = [];
  for (const [dir, names] of Object.entries(watched)) {
    for (const name of names) {
      const rel = toRelative(root, join(dir, name));
      if (!rel || !isWatched(rel)) continue;
      const s = await stat(join(dir, name)).catch(() => undefined);
      if (s?.isFile() && s.mtimeMs >= since - CLOCK_SLACK_MS) changed.push(rel);
    }
  }
  return changed;
}
