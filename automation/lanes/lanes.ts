/**
 * The daemon's lanes: saves of the working tree one at a time, and work orders beside them, so a
 * long work order never delays the check of a save (CONTRACT.md §5, Lanes).
 */
import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { TaskOutcomes } from '../daemon/outcomes.js';
import { pidAlive } from '../daemon/ownership.js';
import type { Task } from '../store/schema.js';
import { taskFinder } from '../tasks/queue.js';
import { readiness } from '../work/dependencies.js';
import type { OrderRun } from '../work/order-run.js';
import { TaskLoop, type TaskLoopDeps } from './task-loop.js';
import { WorkerRegistry } from './workers.js';

/** Carries out work orders (the work stage, or one that refuses them saying why). */
export interface WorkLane {
  process(task: Task, signal: AbortSignal, run?: OrderRun): Promise<void>;
  /** Before the first order: removes what orders a crash cut short left behind. */
  init?(): Promise<void>;
  /**
   * Orders carried out elsewhere (the shared queue's workers): this many are followed at once,
   * and no worker of this daemon is recorded.
   */
  remote?: { slots: number };
}

/** Builds the work lane once the daemon's outcome recorder exists. */
export type WorkLaneFactory = (outcomes: TaskOutcomes) => WorkLane;

const isWork = (t: Task) => t.type === 'work';

/** Idle lanes look at a state file that keeps changing at most this often. */
const LOOK_EVERY_MS = 100;

export class Lanes {
  readonly saves: TaskLoop;
  /** One loop per worker: up to MAX_WORKERS orders at once. */
  readonly work: TaskLoop[];
  private done: Promise<unknown> = Promise.resolve();
  private beat: NodeJS.Timeout | undefined;
  private readonly registry: WorkerRegistry | undefined;
  private readonly stateFile: string;
  private stateWatch: FSWatcher | undefined;
  private lookLater: NodeJS.Timeout | undefined;

  constructor(
    base: Omit<TaskLoopDeps, 'process' | 'select'>,
    processSave: TaskLoopDeps['process'],
    /** The work lane and its workers: `count` of them, recorded for this daemon (`me`). */
    work: { lane: WorkLane; me: { host: string; pid: number }; count: number } | undefined,
  ) {
    this.stateFile = base.store.file;
    this.registry =
      work && !work.lane.remote
        ? new WorkerRegistry({ ...base, ...work, alive: pidAlive })
        : undefined;
    const count = work?.lane.remote?.slots ?? work?.count ?? 0;
    this.saves = new TaskLoop({
      ...base,
      process: processSave,
      select: (inOrder) => inOrder.find((t) => !isWork(t)),
    });
    const registry = this.registry;
    this.work = Array.from({ length: count }, (_, i) => registry?.ids[i] ?? `remote${i + 1}`).map(
      (id) =>
        new TaskLoop({
          ...base,
          process: (task, signal) =>
            this.carryOut((work as NonNullable<typeof work>).lane, registry, id, task, signal),
          // An order still waiting for its parents stays pending; one whose parent failed is
          // taken, and fails naming it. Each order is taken by one worker (under the lock).
          select: (inOrder, state) => {
            const find = taskFinder(state); // one index for every order: linear, not quadratic
            return inOrder.find((t) => isWork(t) && readiness(state, t, find).kind !== 'waiting');
          },
        }),
    );
  }

  /** Worker `id` carries out `task`, its record saying so. */
  private async carryOut(
    lane: WorkLane,
    registry: WorkerRegistry | undefined,
    id: string,
    task: Task,
    signal: AbortSignal,
  ): Promise<void> {
    if (!registry) return lane.process(task, signal).finally(() => this.wake());
    await registry.busy(id, task).catch(() => {});
    try {
      await lane.process(task, signal);
    } finally {
      const after = await registry.settled(task.id).catch(() => false);
      await registry.idle(id, after).catch(() => {});
      this.wake(); // an order that ended may let others start
    }
  }

  private get all(): TaskLoop[] {
    return [this.saves, ...this.work];
  }

  /** Records the workers, then runs every lane until `stop()`; `beatMs`: workers' heartbeat. */
  async start(beatMs: number): Promise<void> {
    await this.registry?.register();
    if (this.registry) {
      const registry = this.registry;
      this.beat = setInterval(() => void registry.beat().catch(() => {}), beatMs);
    }
    this.done = Promise.all(this.all.map((l) => l.run()));
    this.watchState();
  }

  /**
   * A task written to the state file by another process (`fixloop add`, `check`) is taken at
   * once, not at the next poll: idle lanes look again when the file is replaced. The poll stays,
   * for file systems without change events.
   */
  private watchState(): void {
    const name = basename(this.stateFile);
    // The daemon's own writes come in bursts: idle lanes look at once, then at most every
    // LOOK_EVERY_MS (one last look after a burst), not once per write.
    let last = 0;
    const look = () => {
      last = Date.now();
      this.lookLater = undefined;
      for (const l of this.all) l.nudge();
    };
    try {
      this.stateWatch = watch(dirname(this.stateFile), (_event, changed) => {
        if (changed !== name || this.lookLater) return;
        const wait = last + LOOK_EVERY_MS - Date.now();
        if (wait <= 0) return look();
        this.lookLater = setTimeout(look, wait);
        this.lookLater.unref();
      });
      this.stateWatch.on('error', () => this.stateWatch?.close());
      this.stateWatch.unref();
    } catch {
      /* no change events here: the poll finds it */
    }
  }

  wake(): void {
    for (const l of this.all) l.wake();
  }

  stop(): void {
    for (const l of this.all) l.stop();
  }

  /** Tasks being processed now. */
  get current() {
    return this.all.flatMap((l) => (l.current ? [l.current] : []));
  }

  /**
   * After `stop()`: gives the tasks under way `timeoutMs` to finish, then aborts them (they go back
   * to pending). `say` reports the wait.
   */
  async drain(timeoutMs: number, say: (line: string) => void): Promise<void> {
    const current = this.current;
    if (current.length && timeoutMs > 0) {
      const ids = current.map((c) => c.task.id).join(', ');
      say(`Waiting up to ${timeoutMs / 1000} s for ${ids} to finish...`);
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), timeoutMs).unref(),
      );
      const all = Promise.all(current.map((c) => c.done)).then(() => 'done' as const);
      if ((await Promise.race([all, timeout])) === 'done') return;
      const late = this.current.map((c) => c.task.id).join(', ');
      say(`${late} did not finish in time; aborting it (back to pending)`);
    }
    for (const c of this.current) c.controller.abort();
  }

  /** Resolves when every lane has stopped (its workers recorded as stopped). */
  async finished(): Promise<void> {
    await this.done;
    this.stateWatch?.close();
    clearTimeout(this.lookLater);
    clearInterval(this.beat);
    await this.registry?.stopped().catch(() => {});
  }
}
