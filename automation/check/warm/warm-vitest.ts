/**
 * One warm vitest child for one test setup (a folder and its scoping flags): starts it, sends it
 * runs, restarts it when a config file changed or its memory passed the bound, and kills its
 * whole process group (vitest's pool workers too) when it stops or a run is cut short.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { FixloopError } from '../../errors.js';
import type { Wrap } from '../../sandbox/runner.js';
import type { RunResult } from '../process-runner.js';
import type { RunRequest, WarmMessage, WarmRequest } from './protocol.js';

/** The warm runner could not answer: the check runs cold instead. */
export class WarmRunnerError extends FixloopError {
  constructor(
    message: string,
    cause?: unknown,
    /** Retrying cannot help (an unsupported vitest): checks here run cold from now on. */
    readonly permanent = false,
  ) {
    super(message, { code: 'WARM_RUNNER_FAILED', cause });
  }
}

export interface WarmVitestOptions {
  /** The setup's folder and flags. */
  cwd: string;
  scriptArgs: readonly string[];
  /** The test environment (CI=true, no colours, no fixloop secrets). */
  env: NodeJS.ProcessEnv;
  /** The built child script (dist/check/warm/child.js). */
  script: string;
  /** Restart after a run that leaves the child above this many bytes. */
  maxRssBytes: number;
  /** Runs the child in the sandbox (its IPC channel passes through). */
  wrap?: Wrap;
}

/** What a cold run would have given: the run's result and the JSON report. */
export type WarmRun = { result: RunResult; report: string | undefined };

const signature = (file: string) => {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'gone';
  }
};

interface Live {
  child: ChildProcess;
  /** Signatures of the files whose change needs a new instance, when it started. */
  restartFiles: Map<string, string>;
  version: string;
}

export class WarmVitest {
  private live: Promise<Live> | undefined;
  private nextId = 1;
  /** Why the last instance was replaced, for the log. */
  lastRestart: string | undefined;
  /** How many times it was restarted (each restart is logged, even for the same reason). */
  restarts = 0;

  private restarted(why: string): void {
    this.lastRestart = why;
    this.restarts++;
  }

  constructor(private readonly options: WarmVitestOptions) {}

  /** Starts the child now (it also starts on the first run). */
  warmUp(timeoutMs: number): Promise<void> {
    return this.instance(timeoutMs).then(() => undefined);
  }

  /** One run; a timeout or an abort kills the child (the next run starts a new one). */
  async run(
    kind: RunRequest['kind'],
    files: readonly string[],
    options: { timeoutMs: number; signal?: AbortSignal | undefined; progressFile?: string },
  ): Promise<WarmRun> {
    const started = performance.now();
    const command = `vitest ${kind === 'related' ? 'related' : 'run'} ${files.join(' ')} (warm)`;
    const base = { command, signal: null, spawnError: undefined } as const;
    const cut = (how: 'timedOut' | 'aborted'): WarmRun => {
      this.stop();
      const durationMs = Math.round(performance.now() - started);
      const result = { ...base, exitCode: null, failed: true, durationMs, output: '' };
      const flags = { timedOut: how === 'timedOut', aborted: how === 'aborted' };
      return { result: { ...result, ...flags }, report: undefined };
    };
    if (options.signal?.aborted) return cut('aborted');
    let live: Live;
    try {
      live = await this.instance(options.timeoutMs);
    } catch (error) {
      this.stop();
      throw error;
    }
    const id = this.nextId++;
    const outcome = await new Promise<WarmMessage | 'timedOut' | 'aborted' | Error>((resolve) => {
      const timer = setTimeout(() => finish('timedOut'), options.timeoutMs);
      const abort = () => finish('aborted');
      const onMessage = (m: WarmMessage) => 'id' in m && m.id === id && finish(m);
      const onExit = (code: number | null, sig: string | null) =>
        finish(new WarmRunnerError(`the warm vitest runner exited (${sig ?? code}) during a run`));
      const finish = (value: WarmMessage | 'timedOut' | 'aborted' | Error) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', abort);
        live.child.off('message', onMessage).off('exit', onExit);
        resolve(value);
      };
      options.signal?.addEventListener('abort', abort, { once: true });
      live.child.on('message', onMessage).on('exit', onExit);
      const { progressFile } = options;
      live.child.send({
        id,
        kind,
        files,
        ...(progressFile ? { progressFile } : {}),
      } satisfies WarmRequest);
    });
    if (outcome === 'timedOut' || outcome === 'aborted') return cut(outcome);
    if (outcome instanceof Error) {
      this.stop();
      throw outcome;
    }
    if (!('ok' in outcome))
      throw new WarmRunnerError('the warm vitest runner answered out of turn');
    if (!outcome.ok) {
      this.stop();
      throw new WarmRunnerError(`the warm vitest runner failed: ${outcome.error.split('\n')[0]}`);
    }
    if (outcome.rss > this.options.maxRssBytes) {
      this.restarted(`it used ${Math.round(outcome.rss / 2 ** 20)} MB`);
      this.stop();
    }
    const result: RunResult = {
      ...base,
      exitCode: outcome.exitCode,
      failed: outcome.exitCode !== 0,
      timedOut: false,
      aborted: false,
      durationMs: Math.round(performance.now() - started),
      output: outcome.output,
    };
    return { result, report: outcome.report };
  }

  /** Ends the child and its workers at once. */
  stop(): void {
    const live = this.live;
    this.live = undefined;
    void live?.then(
      ({ child }) => killGroup(child),
      () => {},
    );
  }

  /** Asks vitest to close, then ends the group whatever happened (bounded by `graceMs`). */
  async close(graceMs = 2000): Promise<void> {
    const live = this.live;
    this.live = undefined;
    const started = await live?.catch(() => undefined);
    if (!started) return;
    const { child } = started;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      if (child.connected) child.send({ id: 0, kind: 'close' } satisfies WarmRequest);
      await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    killGroup(child);
  }

  /** The live instance, restarted first when a config file changed since it started. */
  private instance(timeoutMs: number): Promise<Live> {
    const current = this.live;
    if (current) {
      return current.then((live) => {
        if (live.child.exitCode !== null || live.child.signalCode !== null) {
          this.restarted('it had exited');
        } else {
          const changed = [...live.restartFiles].find(([f, sig]) => signature(f) !== sig);
          if (!changed) return live;
          this.restarted(`${changed[0]} changed`);
        }
        killGroup(live.child);
        this.live = undefined;
        return this.instance(timeoutMs);
      });
    }
    this.live = this.spawn(timeoutMs);
    this.live.catch(() => {});
    return this.live;
  }

  private spawn(timeoutMs: number): Promise<Live> {
    const { cwd, env, script, scriptArgs, wrap } = this.options;
    const args = [script, JSON.stringify({ scriptArgs })];
    const command = wrap?.(process.execPath, args, cwd) ?? { file: process.execPath, args };
    const child = spawn(command.file, command.args, {
      cwd,
      env,
      // Its own process group: vitest's workers are killed with it, never orphaned.
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
        const message = `the warm vitest runner did not start: ${why}`;
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
        resolve({ child, restartFiles, version: m.vitestVersion });
      });
    });
  }
}

/** Kills the child's whole process group (it leads one), ignoring a group already gone. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  if (child.connected) child.disconnect();
}
