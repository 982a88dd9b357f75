/**
 * The daemon's lanes: saves of the working tree one at a time, and work orders beside them, so a
 * long work order never delays the check of a save (CONTRACT.md §5, Lanes).
 */

import type { TaskOutcomes } from '../daemon/outcomes.js';
import type { Task } from '../store/schema.js';
import { readiness } from '../work/dependencies.js';
import { TaskLoop, type TaskLoopDeps } from './task-loop.js';

/** Carries out work orders (the work stage, or one that refuses them saying why). */
export interface WorkLane {
  process(task: Task, signal: AbortSignal): Promise<void>;
  /** Before the first order: removes what orders a crash cut short left behind. */
  init?(): Promise<void>;
}

/** Builds the work lane once the daemon's outcome recorder exists. */
export type WorkLaneFactory = (outcomes: TaskOutcomes) => WorkLane;

const isWork = (t: Task) => t.type === 'work';

export class Lanes {
  readonly saves: TaskLoop;
  readonly work: TaskLoop | undefined;
  private done: Promise<unknown> = Promise.resolve();

  constructor(
    base: Omit<TaskLoopDeps, 'process' | 'select'>,
    processSave: TaskLoopDeps['process'],
    work: WorkLane | undefined,
  ) {
    this.saves = new TaskLoop({
      ...base,
      process: processSave,
      select: (inOrder) => inOrder.find((t) => !isWork(t)),
    });
    this.work = work
      ? new TaskLoop({
          ...base,
          process: (task, signal) => work.process(task, signal),
          // An order still waiting for its parents stays pending; one whose parent failed is
          // taken, and fails naming it.
          select: (inOrder, state) =>
            inOrder.find((t) => isWork(t) && readiness(state, t).kind !== 'waiting'),
        })
      : undefined;
  }

  private get all(): TaskLoop[] {
    return this.work ? [this.saves, this.work] : [this.saves];
  }

  run(): void {
    this.done = Promise.all(this.all.map((l) => l.run()));
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

  /** Resolves when every lane has stopped. */
  finished(): Promise<unknown> {
    return this.done;
  }
}
