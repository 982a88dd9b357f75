/**
 * The sandbox of this process, from the configuration: which one (checked once at start), and the
 * policy of a tree — its folder writable, the checkout and fixloop itself readable, fixloop's
 * state and log hidden, the home folder empty but for the caches and toolchains runners need.
 */
import { existsSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import type { Config } from '../config/config.js';
import { ConfigError } from '../config/errors.js';
import { fixloopPackage } from '../fs/package-root.js';
import { processScratch } from '../fs/scratch.js';
import { repositoryOf } from '../git/repository.js';
import { type AgentSandbox, agentSandbox } from '../sandbox/agent.js';
import { homeKeeps, pathEnvironments, type SandboxPolicy, within } from '../sandbox/policy.js';
import { type SandboxFor, wrapWith } from '../sandbox/runner.js';
import { detectSandbox, type SandboxChoice } from '../sandbox/sandbox.js';

/** The sandbox in use and how to run a command in it (undefined: none). */
export interface Isolation {
  choice: SandboxChoice;
  /** Test runs, the warm runner, WORKTREE_SETUP: the tree they run in is writable. */
  tests: SandboxFor | undefined;
  /** Claude Code sessions: their own settings writable, the model API reached through a relay. */
  agent: AgentSandbox | undefined;
}

/** What every tree's policy shares, and the checkout (whose .env files other trees never see). */
type Shared = Omit<SandboxPolicy, 'writable' | 'hiddenFiles'> & {
  checkout: string;
  stateFile: string;
};

/** The checkout's .env files (the configuration's secrets), unreadable from another tree. */
function envFiles(checkout: string, tree: string): string[] {
  if (within(checkout, tree) || within(tree, checkout)) return [];
  try {
    return readdirSync(checkout)
      .filter((name) => /^\.env($|\.)/.test(name))
      .map((name) => join(checkout, name));
  } catch {
    return [];
  }
}

/** What every tree's policy shares (worked out once: it asks git where the checkout is). */
function sharedPolicy(config: Config): Shared {
  const home = homedir();
  const tmp = join(config.cacheDir, 'sandbox', 'tmp');
  mkdirSync(tmp, { recursive: true });
  const checkout = repositoryOf(config.projectRoot) ?? config.projectRoot;
  const env = { ...process.env, ...config.childEnv };
  return {
    checkout,
    stateFile: config.stateFile,
    readable: [
      // A virtualenv under /tmp (or a home one the toolchain rule does not keep) on PATH.
      ...pathEnvironments(['/tmp', home], env),
      checkout,
      fixloopPackage().root,
      join(config.cacheDir, 'instrument'),
      // The Node running fixloop runs its helpers inside (a version manager's, under home).
      dirname(dirname(process.execPath)),
    ],
    hidden: [dirname(config.stateFile), config.logDir],
    home,
    homeKept: homeKeeps(home, env.PATH),
    homeWritable: [],
    tmp,
    network: config.sandbox.network,
  };
}

/** The policy for a process working in `tree` (writable, with fixloop's temp folder). */
export function policyOf(
  shared: Shared,
  tree: string,
  extra: { homeWritable?: string[]; readable?: string[] } = {},
): SandboxPolicy {
  const { checkout, stateFile, ...common } = shared;
  // Only a folder that is there can be covered (each run looks again: the log comes later), and
  // never one holding the tree or the checkout (STATE_FILE in the project's root: a worktree's
  // packages link into the checkout); then the state file alone is unreadable.
  const hidden = shared.hidden.filter(
    (d) => existsSync(d) && !within(d, tree) && !within(d, checkout),
  );
  const stateShown = !hidden.some((d) => within(d, stateFile)) && existsSync(stateFile);
  return {
    ...common,
    hiddenFiles: [...envFiles(checkout, tree), ...(stateShown ? [stateFile] : [])],
    readable: [...shared.readable, ...(extra.readable ?? [])],
    writable: [tree, processScratch.dir()],
    hidden,
    homeWritable: extra.homeWritable ?? shared.homeWritable,
  };
}

/**
 * The folder the Claude Code CLI is installed in (its real path: a native install under
 * ~/.local/share, a package in node_modules), kept readable in its sandbox.
 */
function installOf(cliPath: string): string[] {
  const candidates = cliPath.includes(sep)
    ? [cliPath]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, cliPath));
  for (const candidate of candidates) {
    try {
      return [dirname(realpathSync(candidate))];
    } catch {
      /* not here */
    }
  }
  return [];
}

/**
 * The isolation of this process. SANDBOX=required without a sandbox is a configuration error
 * (exit 2): nothing the model writes may run unconfined.
 */
export function isolation(config: Config): Isolation {
  const choice = detectSandbox(config.sandbox.mode);
  if (!choice.kind && config.sandbox.mode === 'required')
    throw new ConfigError([
      `SANDBOX=required, but there is no sandbox here: ${choice.why}; or set SANDBOX=auto`,
    ]);
  if (!choice.kind) return { choice, tests: undefined, agent: undefined };
  const claude = [join(homedir(), '.claude'), join(homedir(), '.claude.json')];
  const shared = sharedPolicy(config);
  const cli = installOf(config.headless.cliPath);
  const kind = choice.kind;
  return {
    choice,
    tests: wrapWith(kind, (tree) => policyOf(shared, tree)),
    agent: agentSandbox({
      kind,
      policyFor: (tree) => policyOf(shared, tree, { homeWritable: claude, readable: cli }),
      bridge: join(fixloopPackage().root, 'dist/sandbox/bridge.js'),
      socketDir: () => processScratch.dir(),
    }),
  };
}

/** The start-up line about the sandbox. */
export function isolationLine(iso: Isolation, config: Config): string {
  if (!iso.choice.kind)
    return `Sandbox: none (${iso.choice.why}); code the model writes runs as you`;
  const net =
    config.sandbox.network === 'deny'
      ? 'no network but loopback; Claude Code reaches only the model API'
      : 'network allowed (SANDBOX_NETWORK=allow)';
  return `Sandbox: ${iso.choice.kind} for tests, WORKTREE_SETUP and Claude Code (${net})`;
}
