/**
 * A policy as a macOS sandbox-exec (Seatbelt) profile: writes only to the writable folders and
 * the temp folders, no reads of the home folder beyond what is kept, fixloop's own folders
 * unreadable, and no network but localhost unless allowed. Generated per run; untested on CI
 * (no macOS there): its text is unit-tested.
 */
import type { SandboxPolicy } from './policy.js';

/** A Seatbelt string literal. */
const quoted = (path: string) => `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const subpaths = (paths: readonly string[]) => paths.map((p) => `(subpath ${quoted(p)})`).join(' ');

/** The profile text for `policy`. */
export function seatbeltProfile(policy: SandboxPolicy): string {
  const writable = [
    ...policy.writable,
    ...policy.homeWritable,
    policy.tmp,
    '/private/tmp',
    '/private/var/folders',
  ];
  const lines = [
    '(version 1)',
    '(allow default)',
    '(deny file-write*)',
    `(allow file-write* ${subpaths(writable)} (literal "/dev/null") (regex #"^/dev/tty"))`,
  ];
  if (policy.home) {
    const kept = [
      ...policy.homeKept,
      ...policy.readable,
      ...policy.homeWritable,
      ...policy.writable,
    ];
    lines.push(`(deny file-read* (subpath ${quoted(policy.home)}))`);
    lines.push(`(allow file-read* ${subpaths(kept)})`);
  }
  if (policy.hidden.length) lines.push(`(deny file-read* file-write* ${subpaths(policy.hidden)})`);
  for (const p of policy.hiddenFiles)
    lines.push(`(deny file-read* file-write* (literal ${quoted(p)}))`);
  if (policy.network === 'deny') {
    lines.push('(deny network*)');
    lines.push('(allow network* (remote ip "localhost:*") (local ip "localhost:*"))');
    // The relays' sockets (agent.ts) are in the writable folders.
    const sockets = policy.writable.map((p) => `(remote unix-socket (path-prefix ${quoted(p)}))`);
    lines.push(`(allow network-outbound ${sockets.join(' ')})`);
  }
  return `${lines.join('\n')}\n`;
}
