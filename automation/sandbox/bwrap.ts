/**
 * A policy as bubblewrap arguments (Linux): the whole file system read-only, the home folder an
 * empty tmpfs with the caches kept, the writable folders bound writable, fixloop's own folders
 * hidden, an empty /tmp (TMPDIR is fixloop's lasting one, so runner caches last), a PID
 * namespace (killing bwrap ends everything inside), and a network namespace with loopback only
 * unless the network is allowed.
 */
import type { SandboxPolicy } from './policy.js';

/** The bwrap arguments for `policy` running in `cwd`; the command follows `--`. */
export function bwrapArgs(policy: SandboxPolicy, cwd: string): string[] {
  // A session of its own: no terminal to push keystrokes into (TIOCSTI); killing bwrap ends
  // everything inside through the PID namespace, not the process group.
  const args = ['--new-session', '--die-with-parent', '--unshare-pid', '--unshare-ipc'];
  args.push('--unshare-uts');
  if (policy.network === 'deny') args.push('--unshare-net');
  args.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp');
  if (policy.home) {
    args.push('--tmpfs', policy.home);
    for (const p of policy.homeKept) args.push('--ro-bind-try', p, p);
  }
  // Bound after the empty folders they may lie in (a project under /tmp, a checkout in home).
  for (const p of policy.readable) args.push('--ro-bind-try', p, p);
  for (const p of policy.homeWritable) args.push('--bind-try', p, p);
  for (const p of [...policy.writable, policy.tmp]) args.push('--bind', p, p);
  for (const p of policy.hidden) args.push('--tmpfs', p);
  for (const p of policy.hiddenFiles) args.push('--ro-bind', '/dev/null', p);
  args.push('--setenv', 'TMPDIR', policy.tmp, '--chdir', cwd);
  return args;
}
