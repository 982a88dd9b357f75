/**
 * The shared queue of a project: one per repository, named after its `origin` so every clone, on
 * every machine, finds the same queue.
 */
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type Git, gitOk } from '../git/git.js';
import { QueueSetupError } from './errors.js';

/**
 * `origin`'s URL reduced to host and path (scheme, user, `.git` and case of the host dropped), so
 * `git@github.com:acme/shop.git` and `https://github.com/acme/shop` name the same queue.
 */
export function originKey(url: string): string {
  let s = url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.*)$/.exec(s);
  if (scp && !/^[a-z]+:\/\//i.test(s)) s = `${scp[1]}/${scp[2]}`;
  else if (/^[a-z+]+:\/\//i.test(s)) {
    try {
      const u = new URL(s);
      s = u.protocol === 'file:' ? u.pathname : `${u.hostname}${u.pathname}`;
    } catch {
      /* kept as written */
    }
  }
  const slash = s.indexOf('/');
  return slash > 0 ? s.slice(0, slash).toLowerCase() + s.slice(slash) : s;
}

/** The BullMQ queue name for a repository whose `origin` is `url`. */
export function queueNameFor(url: string): string {
  const hash = createHash('sha256').update(originKey(url)).digest('hex').slice(0, 12);
  return `fixloop-${hash}`;
}

/**
 * `origin`'s URL in `repoRoot`, or QueueSetupError saying how to add one. A local path is made
 * absolute (git reads a relative one from the repository's top) and real, so a clone made with
 * `git remote add origin ../shop.git` and one cloned from `/srv/shop.git` name the same queue.
 */
export async function originUrl(git: Git, repoRoot: string): Promise<string> {
  try {
    const url = (await gitOk(git, ['remote', 'get-url', 'origin'], { cwd: repoRoot })).trim();
    return localPath(url) ? realPath(resolve(repoRoot, url)) : url;
  } catch (error) {
    throw new QueueSetupError(
      'The shared queue needs a remote named origin that every worker can fetch from and push ' +
        'to; add one with "git remote add origin <url>".',
      error,
    );
  }
}

/** Whether git reads `url` as a path on this machine (no scheme, no `host:` prefix). */
function localPath(url: string): boolean {
  if (isAbsolute(url)) return true;
  return !/^[a-z+]+:\/\//i.test(url) && !/^(?:[^@/]+@)?[^:/]+:/.test(url);
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
