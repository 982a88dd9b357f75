/**
 * Starting a warm runner's child: spawned in its own process group (so its test workers die with
 * it), told which runner to keep, and ready once it says which files need a new instance.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { FixloopError } from '../../errors.js';
import type { Wrap } from '../../sandbox/runner.js';
import type { WarmMessage, WarmRunnerName, WarmStart } from './protocol.js';

/** The warm runner could not answer: the check runs cold instead. */
export class WarmRunnerError extends FixloopError {
  constructor(
    message: string,
    cause?: unknown,
    /** Retrying cannot help (an unsupported runner): checks here run cold from now on. */
    readonly permanent = false,
  ) {
    super(message, { code: 'WARM_RUNNER_FAILED', cause });
  }
}

/** A started child. */
export interface Live {
  child: ChildProcess;
  /** Signatures of the files whose change needs a new instance, when it started. */
  restartFiles: Map<string, string>;
  version: string;
}

/** A file's modification time and size, or 'gone'. */
export const signature = (file: string) => {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'gone';
  }
};

/** Starts the child of `runner` in `cwd`; rejects when it fails or is not ready in time. */
export function spawnChild(
  options: {
    runner: WarmRunnerName;
    cwd: string;
    scriptArgs: readonly string[];
    env: NodeJS.ProcessEnv;
    script: string;
    wrap?: Wrap;
  },
  timeoutMs: number,
): Promise<Live> {
  const { cwd, env, script, scriptArgs, wrap, runner } = options;
  const args = [script, JSON.stringify({ runner, scriptArgs } satisfies WarmStart)];
  const command = wrap?.(process.execPath, args, cwd) ?? { file: process.execPath, args };
  const child = spawn(command.file, command.args, {
    cwd,
    env,
    // Its own process group: the runner's workers are killed with it, never orphaned.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stray = '';
  const keep = (chunk: Buffer) => {
    stray = (stray + chunk.toString()).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise<Live>((resolve, reject) => {
    const fail = (why: string, permanent = false) => {
      clearTimeout(timer);
      killGroup(child);
      const message = `the warm ${runner} runner did not start: ${why}`;
      reject(new WarmRunnerError(message, undefined, permanent));
    };
    const timer = setTimeout(() => fail(`no answer in ${timeoutMs / 1000} s`), timeoutMs);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => fail(`it exited with code ${code}: ${stray.trim()}`));
    child.on('message', (m: WarmMessage) => {
      if (!('type' in m)) return;
      if (m.type === 'fatal') return fail(m.error.split('\n')[0] ?? m.error, m.permanent);
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const restartFiles = new Map(m.restartFiles.map((f) => [f, signature(f)]));
      resolve({ child, restartFiles, version: m.version });
    });
  });
}

/** Kills the child's whole process group (it leads one), ignoring a group already gone. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  if (child.connected) child.disconnect();
}
