/**
 * The warm runners of a project: one warm child (vitest or jest) per test setup, at most a few
 * at once (the least recently used is closed), each falling back to the cold run when it fails.
 * A setup whose runner failed three times in a row runs cold for the rest of the session.
 */
import type { Logger } from '../../log/logger.js';
import type { Wrap } from '../../sandbox/runner.js';
import type { TestSetup } from '../detect.js';
import { type RunRequest, WARM_RUNNERS, type WarmRunnerName } from './protocol.js';
import { WarmRunnerError } from './spawn-child.js';
import { WarmChild, type WarmRun } from './warm-child.js';

/** What every warm child of a project shares. */
export interface WarmRunnersOptions {
  /** The test environment. */
  env: NodeJS.ProcessEnv;
  /** The built child script (one for every runner). */
  script: string;
  maxRssBytes: number;
  logger: Logger;
  /** How many children may live at once (each holds a runner instance, 100–300 MB). */
  max?: number;
  /** Told once per setup when its checks go cold for the rest of the session. */
  onGiveUp?: (message: string) => void;
  /** Runs the child in the sandbox. */
  wrap?: Wrap;
}

const GIVE_UP_AFTER = 3;

interface Slot {
  runner: WarmChild;
  failures: number;
  usedAt: number;
  /** The failure counted last (a failed start is seen by every run that waited for it). */
  lastError?: Error;
}

/** The warm children of a project's setups, falling back to cold runs. */
export class WarmRunners {
  private readonly slots = new Map<string, Slot>();
  private readonly disabled = new Set<string>();
  /** What was said of giving up (once per reason). */
  private readonly said = new Set<string>();
  private clock = 0;

  constructor(private readonly options: WarmRunnersOptions) {}

  /** Whether `setup` can run warm (vitest or jest, and not given up on). */
  covers(setup: TestSetup): boolean {
    return warmName(setup) !== undefined && !this.disabled.has(keyOf(setup));
  }

  /** Starts `setup`'s runner in the background (the first check is then warm too). */
  warmUp(setup: TestSetup, timeoutMs: number): void {
    const slot = this.slot(setup);
    if (slot) slot.runner.warmUp(timeoutMs).catch((e: Error) => this.failed(setup, slot, e));
  }

  /**
   * Runs warm; undefined means "run it cold" (the runner failed, and the log says why once).
   * Paths are relative to the setup's folder.
   */
  async run(
    setup: TestSetup,
    kind: RunRequest['kind'],
    files: readonly string[],
    options: { timeoutMs: number; signal?: AbortSignal | undefined; progressFile?: string },
  ): Promise<WarmRun | undefined> {
    const slot = this.slot(setup);
    if (!slot) return undefined;
    try {
      const restartedBefore = slot.runner.restarts;
      const run = await slot.runner.run(kind, files, options);
      if (slot.runner.restarts !== restartedBefore)
        this.options.logger.info(
          { cwd: setup.cwd, why: slot.runner.lastRestart },
          `warm ${setup.runner.name} runner restarted`,
        );
      slot.failures = 0;
      return run;
    } catch (error) {
      this.failed(setup, slot, error as Error);
      return undefined;
    }
  }

  /** Closes every child (and its workers). */
  async close(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.all(slots.map((s) => s.runner.close()));
  }

  /** `setup`'s slot, made on first use; undefined when it does not run warm. */
  private slot(setup: TestSetup): Slot | undefined {
    const key = keyOf(setup);
    const runner = warmName(setup);
    if (!runner || this.disabled.has(key)) return undefined;
    let slot = this.slots.get(key);
    if (!slot) {
      const { cwd, scriptArgs } = setup;
      slot = {
        runner: new WarmChild({ ...this.options, runner, cwd, scriptArgs }),
        failures: 0,
        usedAt: 0,
      };
      this.slots.set(key, slot);
      this.evict();
    }
    slot.usedAt = ++this.clock;
    return slot;
  }

  private evict(): void {
    const max = this.options.max ?? 2;
    while (this.slots.size > max) {
      const [key, oldest] = [...this.slots].sort((a, b) => a[1].usedAt - b[1].usedAt)[0] ?? [];
      if (!key || !oldest) return;
      this.slots.delete(key);
      void oldest.runner.close();
    }
  }

  private failed(setup: TestSetup, slot: Slot, error: Error): void {
    const key = keyOf(setup);
    // A start that failed fails its warm-up and the run that waited for it: one failure, said once.
    if (this.disabled.has(key) || slot.lastError === error) return;
    slot.lastError = error;
    slot.failures++;
    const giveUp =
      slot.failures >= GIVE_UP_AFTER || (error instanceof WarmRunnerError && error.permanent);
    const name = setup.runner.name;
    this.options.logger.warn(
      { cwd: setup.cwd, err: error, failures: slot.failures },
      giveUp
        ? `warm ${name} runner failed again; checks here run cold for the rest of the session`
        : `warm ${name} runner failed; this check runs cold`,
    );
    if (giveUp) {
      const why = error.message.split('\n')[0];
      const message = `${name} runs cold from now on (the warm runner failed: ${why})`;
      if (!this.said.has(message)) this.options.onGiveUp?.(message);
      this.said.add(message);
      this.disabled.add(key);
      this.slots.delete(key);
      void slot.runner.close();
    }
  }
}

const keyOf = (setup: TestSetup) =>
  `${setup.runner.name}\0${setup.cwd}\0${setup.scriptArgs.join('\0')}`;

/** The warm runner that keeps `setup`'s runner, if one does. */
const warmName = (setup: TestSetup): WarmRunnerName | undefined =>
  WARM_RUNNERS.find((name) => name === setup.runner.name);
