/** The doctor line of the sandbox code the model writes runs in (CONTRACT §8, Isolation). */
import type { Config } from '../config/config.js';
import { detectSandbox, INSTALL_HINT } from '../sandbox/sandbox.js';
import { type Check, fail, ok, skip, warn } from './check.js';

/** Which sandbox runs tests, WORKTREE_SETUP and Claude Code, or why none does. */
export function sandboxCheck(config: Config): Check {
  const { mode, network } = config.sandbox;
  if (mode === 'off') return skip('sandbox', 'SANDBOX=off: code the model writes runs as you');
  const choice = detectSandbox(mode);
  if (choice.kind) {
    const net = network === 'deny' ? 'no network but loopback' : 'network allowed';
    return ok('sandbox', `${choice.kind} for tests, WORKTREE_SETUP and Claude Code (${net})`);
  }
  const why = `no sandbox: ${choice.why}`;
  return mode === 'required'
    ? fail('sandbox', `SANDBOX=required, ${why}`, `${INSTALL_HINT}, or set SANDBOX=auto`)
    : warn('sandbox', `${why}; code the model writes runs as you`, INSTALL_HINT);
}
