/**
 * The Claude Code process of one run, started for the Agent SDK: through the session's sandbox
 * wrapper, in its own process group so that ending the run ends everything it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { Wrap } from '../../../sandbox/runner.js';

/** The run's process once started; `kill` ends its whole group, `exited` waits for its end. */
export class ClaudeProcess {
  child: ChildProcess | undefined;
  /** Why it could not start (e.g. the CLI is missing). */
  startError: Error | undefined;
  /** The end of its stderr (for a run that ends without a result). */
  stderr = '';
  /** How it ended on its own (`exit 1`, `SIGSEGV`), once `settle` saw it end before our kill. */
  ended: string | undefined;

  constructor(private readonly wrap: Wrap | undefined) {}

  /** The SDK's `spawnClaudeCodeProcess`. */
  readonly spawn = (o: SpawnOptions): SpawnedProcess => {
    const cwd = o.cwd ?? process.cwd();
    // A JavaScript CLI runs with this Node, not whichever `node` is first on the PATH.
    const command = o.command === 'node' ? process.execPath : o.command;
    const { file, args } = this.wrap?.(command, o.args, cwd) ?? { file: command, args: o.args };
    const env = Object.fromEntries(
      Object.entries(o.env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    const child = spawn(file, args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.once('error', (error) => (this.startError ??= error));
    // A CLI that dies while the SDK still writes to it must not take the daemon down (EPIPE).
    child.stdin?.on('error', () => {});
    child.stderr
      ?.setEncoding('utf8')
      .on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-4000)));
    return child as SpawnedProcess;
  };

  /** Notes how the process ended if it already has (call before `kill`). */
  settle(): void {
    const c = this.child;
    if (c?.exitCode != null) this.ended = `exit ${c.exitCode}`;
    else if (c?.signalCode) this.ended = c.signalCode;
  }

  /** SIGKILL to the whole process group (nothing of the run outlives it). */
  kill(): void {
    try {
      if (this.child?.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  /** Resolves once the process has exited (at once if it never started). */
  exited(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null)
      return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }
}
