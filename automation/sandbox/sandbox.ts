/**
 * Which sandbox this machine gives code the model wrote (SANDBOX: auto, required, off), and how a
 * command runs in it: bubblewrap on Linux, sandbox-exec on macOS, else none (said once, and in
 * `doctor`). `required` without one refuses to start.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bwrapArgs } from './bwrap.js';
import type { SandboxPolicy } from './policy.js';
import { seatbeltProfile } from './seatbelt.js';

export type SandboxKind = 'bubblewrap' | 'sandbox-exec';

/** The sandbox in use (undefined: none), and why none when there is none. */
export interface SandboxChoice {
  kind: SandboxKind | undefined;
  why?: string;
}

/** How to install one, for the messages. */
export const INSTALL_HINT =
  'install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; ' +
  'Fedora: sudo dnf install bubblewrap)';

const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

let probed: SandboxChoice | undefined;

/** The sandbox this machine has (probed once per process: bwrap must be able to run). */
export function detectSandbox(
  mode: 'auto' | 'required' | 'off',
  platform: NodeJS.Platform = process.platform,
): SandboxChoice {
  if (mode === 'off') return { kind: undefined, why: 'SANDBOX=off' };
  if (platform === 'darwin')
    return existsSync(SANDBOX_EXEC)
      ? { kind: 'sandbox-exec' }
      : { kind: undefined, why: `${SANDBOX_EXEC} is missing` };
  if (platform !== 'linux') return { kind: undefined, why: `no sandbox is known for ${platform}` };
  probed ??= probeBwrap();
  return probed;
}

/** Whether bwrap runs here (installed, and allowed to make namespaces). */
function probeBwrap(): SandboxChoice {
  try {
    execFileSync('bwrap', ['--ro-bind', '/', '/', '--unshare-net', '--die-with-parent', 'true'], {
      timeout: 10_000,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return { kind: 'bubblewrap' };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      return { kind: undefined, why: `bubblewrap is not installed (${INSTALL_HINT})` };
    const said = e.stderr?.toString().trim().split('\n')[0];
    return { kind: undefined, why: `bubblewrap cannot make a sandbox here (${said || e.message})` };
  }
}

/** `file args` as run under `policy` in `cwd` with `kind`. */
export function sandboxed(
  kind: SandboxKind,
  policy: SandboxPolicy,
  cwd: string,
  file: string,
  args: readonly string[],
): { file: string; args: string[] } {
  if (kind === 'bubblewrap')
    return { file: 'bwrap', args: [...bwrapArgs(policy, cwd), '--', file, ...args] };
  return { file: SANDBOX_EXEC, args: ['-p', seatbeltProfile(policy), file, ...args] };
}
