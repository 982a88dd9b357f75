/**
 * The warm runners of a project: one warm vitest child per test setup, at most a few at once
 * (the least recently used is closed), each falling back to the cold run when it fails. A setup
 * whose runner failed three times in a row runs cold for the rest of the session.
 */
import type { Logger } from '../../log/logger.js';
import type { Wrap } from '../../sandbox/runner.js';
import type { TestSetup } from '../detect.js';
import type { RunRequest } from './protocol.js';
import { type WarmRun, WarmRunnerError, WarmVitest } from './warm-vitest.js';

export interface WarmRunnersOptions {
  /** The test environment. */
  env: NodeJS.ProcessEnv;
  /** The built child script. */
  script: string;
  maxRssBytes: number;
  logger: Logger;
  /** How many children may live at once (each holds a vitest instance, 100–300 MB). */
  max?: number;
  /** Told once per setup when its checks go cold for the rest of the session. */
  onGiveUp?: (message: string) => void;
  /** Runs the child in the sandbox. */
  wrap?: Wrap;
}

const GIVE_UP_AFTER = 3;

interface Slot {
  runner: WarmVitest;
  failures: number;
  usedAt: number;
  /** The failure counted last (a failed start is seen by every run that waited for it). */
  lastError?: Error;
}

export class WarmRunners {
  private readonly slots = new Map<string, Slot>();
  private readonly disabled = new Set<string>();
  /** What was said of giving up (once per reason). */
  private readonly said = new Set<string>();
  private clock = 0;

  constructor(private readonly options: WarmRunnersOptions) {}

  /** Whether `setup` can run warm (vitest, and not given up on). */
  covers(setup: TestSetup): boolean {
    return setup.runner.name === 'vitest' && !this.disabled.has(keyOf(setup));
  }

  /** Starts `setup`'s runner in the background (the first check is then warm too). */
  warmUp(setup: TestSetup, timeoutMs: number): void {
    if (!this.covers(setup)) return;
    const slot = this.slot(setup);
    slot.runner.warmUp(timeoutMs).catch((error: Error) => this.failed(setup, slot, error));
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
    if (!this.covers(setup)) return undefined;
    const slot = this.slot(setup);
    try {
      const restartedBefore = slot.runner.restarts;
      const run = await slot.runner.run(kind, files, options);
      if (slot.runner.restarts !== restartedBefore)
        this.options.logger.info(
          { cwd: setup.cwd, why: slot.runner.lastRestart },
          'warm vitest runner restarted',
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

  private slot(setup: TestSetup): Slot {
    const key = keyOf(setup);
    let slot = this.slots.get(key);
    if (!slot) {
      slot = {
        runner: new WarmVitest({ ...this.options, cwd: setup.cwd, scriptArgs: setup.scriptArgs }),
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
    this.options.logger.warn(
      { cwd: setup.cwd, err: error, failures: slot.failures },
      giveUp
        ? 'warm vitest runner failed again; checks here run cold for the rest of the session'
        : 'warm vitest runner failed; this check runs cold',
    );
    if (giveUp) {
      const why = error.message.split('\n')[0];
      const message = `vitest runs cold from now on (the warm runner failed: ${why})`;
      if (!this.said.has(message)) this.options.onGiveUp?.(message);
      this.said.add(message);
      this.disabled.add(key);
      this.slots.delete(key);
      void slot.runner.close();
    }
  }
}

const keyOf = (setup: TestSetup) => `${setup.cwd}\0${setup.scriptArgs.join('\0')}`;
