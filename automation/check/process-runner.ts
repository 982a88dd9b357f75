/**
 * Process-runner seam: runs a command in its own process group, with a timeout that kills the whole
 * tree.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Bytes of stdout+stderr kept (head and tail); the middle of longer output is elided. */
  maxOutputBytes?: number;
}

/** The outcome of one run, in the spirit of execa's result objects. */
export interface RunResult {
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  failed: boolean;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** Combined stdout and stderr in arrival order, capped. */
  output: string;
  /** Set when the command could not be started at all (e.g. ENOENT). */
  spawnError?: string;
}

export interface ProcessRunner {
  run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult>;
}

/** Keeps the first and last bytes of a stream of chunks. */
class CappedOutput {
  private head = '';
  private tail = '';
  private dropped = 0;
  constructor(private readonly max: number) {}
  add(chunk: string): void {
    const headMax = Math.floor(this.max / 4);
    if (this.head.length < headMax) {
      const take = chunk.slice(0, headMax - this.head.length);
      this.head += take;
      chunk = chunk.slice(take.length);
    }
    this.tail += chunk;
    const tailMax = this.max - headMax;
    if (this.tail.length > tailMax) {
      this.dropped += this.tail.length - tailMax;
      this.tail = this.tail.slice(this.tail.length - tailMax);
    }
  }
  toString(): string {
    return this.dropped
      ? `${this.head}\n… [${this.dropped} characters elided] …\n${this.tail}`
      : this.head + this.tail;
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL'); // the whole group: runners fork workers
  } catch {
    /* already gone */
  }
}

/**
 * The real runner: `detached` puts the child in its own process group so the timeout can end every
 * descendant.
 */
export const nodeProcessRunner: ProcessRunner = {
  run(file, args, options) {
    const started = performance.now();
    const command = [file, ...args].join(' ');
    const output = new CappedOutput(options.maxOutputBytes ?? 200_000);
    return new Promise((resolve) => {
      let timedOut = false;
      let aborted = false;
      const child = spawn(file, [...args], {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.setEncoding('utf8').on('data', (d: string) => output.add(d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => output.add(d));
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, options.timeoutMs);
      const onAbort = () => {
        aborted = true;
        killGroup(child.pid);
      };
      if (options.signal?.aborted) onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      let done = false;
      const finish = (
        exitCode: number | null,
        signal: NodeJS.Signals | null,
        spawnError?: string,
      ) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        // Grandchildren may outlive a runner that exited on its own; never leave them behind.
        if (timedOut || aborted) killGroup(child.pid);
        resolve({
          command,
          exitCode,
          signal,
          failed: exitCode !== 0 || timedOut || aborted || spawnError !== undefined,
          timedOut,
          aborted,
          durationMs: Math.round(performance.now() - started),
          output: output.toString(),
          ...(spawnError ? { spawnError } : {}),
        });
      };
      child.once('error', (error: NodeJS.ErrnoException) =>
        finish(null, null, `${error.code ?? 'ERROR'}: ${error.message}`),
      );
      child.once('close', (code, signal) => finish(code, signal));
      // A grandchild that keeps the pipes open would delay 'close' forever: give it a moment, then
      // end the group.
      child.once('exit', (code, signal) => {
        setTimeout(() => {
          killGroup(child.pid);
          finish(code, signal);
        }, 2000).unref();
      });
    });
  },
};
