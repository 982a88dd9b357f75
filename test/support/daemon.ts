/** A real `fixloop watch` child process, with helpers to wait on its output and its state file. */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type State, stateSchema } from '../../automation/store/schema.js';
import { startCli } from './cli.js';

const running = new Set<ChildProcess>();

afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

export class Daemon {
  output = '';
  /** When it was started (ISO), to tell its tasks from an earlier daemon's. */
  readonly startedAt = new Date().toISOString();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    running.add(child);
    child.stdout?.on('data', (d) => (this.output += d));
    child.stderr?.on('data', (d) => (this.output += d));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        running.delete(child);
        resolve({ code, signal });
      }),
    );
  }

  /** Resolves when the output matches; rejects with the output so far after `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (Date.now() > until)
        throw new Error(`timed out waiting for ${pattern}; output so far:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Starts `fixloop [args]` in `cwd` with fast timings unless overridden. */
export function startDaemon(
  cwd: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Daemon {
  return new Daemon(
    startCli(args, {
      cwd,
      env: {
        FILE_WATCH_DEBOUNCE_SECONDS: '0.2',
        HEARTBEAT_INTERVAL_SECONDS: '1',
        // Fixes write at once: tests that want the quiet period set it.
        FIX_QUIET_SECONDS: '0',
        // Failures are not run again (CPU for the whole suite): the flaky tests set it.
        FLAKY_RERUNS: '0',
        ...env,
      },
    }),
  );
}

/** The state file of a project started from `cwd` with the default STATE_FILE. */
export function readState(cwd: string): State {
  return stateSchema.parse(JSON.parse(readFileSync(join(cwd, 'state/app_state.json'), 'utf8')));
}

/** Polls the state file until `predicate` holds; returns that state. */
export async function waitForState(
  cwd: string,
  predicate: (s: State) => boolean,
  timeoutMs = 30_000,
): Promise<State> {
  const until = Date.now() + timeoutMs;
  let last: State | undefined;
  for (;;) {
    try {
      last = readState(cwd);
      if (predicate(last)) return last;
    } catch {
      /* not written yet */
    }
    if (Date.now() > until) {
      const queues = JSON.stringify(last?.queues, null, 1)?.slice(0, 3000);
      throw new Error(`state condition not met in ${timeoutMs} ms; last state:\n${queues}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
