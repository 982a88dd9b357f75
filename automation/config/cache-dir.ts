/** fixloop's cache folder for one project: outside it, under the user's cache directory. */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { RawEnv } from './env-source.js';

/** `$XDG_CACHE_HOME/fixloop`, `~/Library/Caches/fixloop` on macOS, else `~/.cache/fixloop`. */
export function userCacheDir(env: RawEnv, platform: NodeJS.Platform = process.platform): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'fixloop');
  const home = env.HOME ?? env.USERPROFILE;
  if (!home) return join(tmpdir(), 'fixloop-cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'fixloop');
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'fixloop');
  return join(home, '.cache', 'fixloop');
}

/** One folder per project: its name and a hash of its path (two checkouts never share one). */
export function projectCacheDir(env: RawEnv, projectRoot: string): string {
  const hash = createHash('sha256').update(projectRoot).digest('hex').slice(0, 10);
  const name = basename(projectRoot).replace(/[^\w.-]/g, '_') || 'root';
  return join(userCacheDir(env), `${name}-${hash}`);
}
