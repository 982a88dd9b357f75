/**
 * One warm runner child (vitest or jest) for one test setup (a folder and its scoping flags):
 * starts it, sends it runs, restarts it when a config file changed or its memory passed the
 * bound, and kills its whole process group (the runner's test workers too) when it stops or a
 * run is cut short.
 */
import type { Wrap } from '../../sandbox/runner.js';
import type { RunResult } from '../process-runner.js';
import type { RunRequest, WarmMessage, WarmRequest, WarmRunnerName } from './protocol.js';
import { killGroup, type Live, signature, spawnChild, WarmRunnerError } from './spawn-child.js';

/** What a warm child is started for, and its bounds. */
export interface WarmChildOptions {
  /** Which runner the child keeps. */
  runner: WarmRunnerName;
  /** The setup's folder and flags. */
  cwd: string;
  scriptArgs: readonly string[];
  /** The test environment (CI=true, no colours, no fixloop secrets). */
  env: NodeJS.ProcessEnv;
  /** The built child script (dist/check/warm/child.js, for every runner). */
  script: string;
  /** Restart after a run that leaves the child above this many bytes. */
  maxRssBytes: number;
  /** Runs the child in the sandbox (its IPC channel passes through). */
  wrap?: Wrap;
}

/** What a cold run would have given: the run's result and the JSON report. */
export type WarmRun = { result: RunResult; report: string | undefined };

/** The command a cold run of `kind` would be, marked warm (the verdict shows it). */
function commandOf(runner: WarmRunnerName, kind: RunRequest['kind'], files: readonly string[]) {
  const mode =
    runner === 'jest'
      ? { related: ['--findRelatedTests'], files: ['--runTestsByPath'], suite: [] }[kind]
      : [kind === 'related' ? 'related' : 'run'];
  return [runner, ...mode, ...files, '(warm)'].join(' ');
}

/** The warm child of one setup, started on first use and replaced when it must be. */
export class WarmChild {
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

  constructor(private readonly options: WarmChildOptions) {}

  private get name(): string {
    return `the warm ${this.options.runner} runner`;
  }

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
    const command = commandOf(this.options.runner, kind, files);
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
        finish(new WarmRunnerError(`${this.name} exited (${sig ?? code}) during a run`));
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
    if (!('ok' in outcome)) throw new WarmRunnerError(`${this.name} answered out of turn`);
    if (!outcome.ok) {
      this.stop();
      throw new WarmRunnerError(`${this.name} failed: ${outcome.error.split('\n')[0]}`);
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

  /** Asks the runner to close, then ends the group whatever happened (bounded by `graceMs`). */
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
    this.live = spawnChild(this.options, timeoutMs);
    this.live.catch(() => {});
    return this.live;
  }
}
