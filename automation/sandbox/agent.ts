/**
 * Sandboxes for Claude Code sessions: the file-system rules of any sandboxed run, and — when the
 * network is denied — a bridge in front of the CLI whose only way out is a relay to the model
 * API (fixloop's gate answers over the CLI's own stdio). Every command the session runs inherits
 * that: no network.
 */
import type { SandboxPolicy } from './policy.js';
import { startRelay } from './relay.js';
import type { Wrap } from './runner.js';
import { type SandboxKind, sandboxed } from './sandbox.js';

/** One session's sandbox: how to run its CLI, and what to close when it has ended. */
export interface AgentSession {
  wrap: Wrap;
  close(): Promise<void>;
}

/**
 * Opens a session working in `tree`; `routes` (environment variable → base URL) are the only
 * places it may reach when the network is denied (the variable is pointed at the way there).
 */
export type AgentSandbox = (tree: string, routes: Record<string, string>) => Promise<AgentSession>;

export interface AgentSandboxOptions {
  kind: SandboxKind;
  policyFor: (tree: string) => SandboxPolicy;
  /** The bridge script (dist/sandbox/bridge.js), run by this Node inside the sandbox. */
  bridge: string;
  /** A folder the sandbox sees for the relays' sockets (fixloop's temp folder). */
  socketDir: () => string;
}

/** The agent sandbox of `options.kind`. */
export function agentSandbox(options: AgentSandboxOptions): AgentSandbox {
  return async (tree, routes) => {
    const policy = options.policyFor(tree);
    if (policy.network === 'allow')
      return {
        wrap: (file, args, cwd) => sandboxed(options.kind, policy, cwd, file, args),
        close: async () => {},
      };
    const relay = await startRelay(options.socketDir(), routes);
    const sockets = Object.fromEntries(
      Object.entries(relay.routes).map(([name, route]) => [name, route.socket]),
    );
    const spec = JSON.stringify(sockets);
    return {
      wrap: (file, args, cwd) =>
        sandboxed(options.kind, policy, cwd, process.execPath, [
          options.bridge,
          spec,
          file,
          ...args,
        ]),
      close: relay.stop,
    };
  };
}
