/**
 * A lane of the event loop: takes pending tasks (priority, then age) one at a time and hands each
 * to its processor. Reads the state without the lock while idle, so an idle loop never writes.
 */
import { stat } from 'node:fs/promises';
import { type Clock, isoAt } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { State, Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { moveTask, pendingInOrder, recordEvent } from '../tasks/queue.js';

export interface TaskLoopDeps {
  store: StateStore;
  clock: Clock;
  logger: Logger;
  /** Processes one task; records its outcome itself. */
  process: (task: Task, signal: AbortSignal) => Promise<void>;
  /** Records a task whose processing threw. */
  crashed: (task: Task, error: unknown) => Promise<void>;
  /** How often an idle loop looks at the state file for tasks added by `fixloop add`. */
  pollMs?: number;
  /** The pending task this lane takes next, from those in order (default: the first). */
  select?: (inOrder: readonly Task[], state: State) => Task | undefined;
}

/** A loop's next task, taken inside another update (a save's) so both are one write. */
export interface Reservation {
  /** Inside the update: moves the task this loop takes next to in_progress (or none). */
  take(state: State, now: string): Task | undefined;
  /** After it: `written` says whether the update (and so the taking) was written. */
  done(written: boolean): void;
}

export class TaskLoop {
  private stopping = false;
  /** A reservation under way: the loop waits for it rather than take a task beside it. */
  private claim: { task: Task | undefined; settled: Promise<void> } | undefined;
  private wakeUp: (() => void) | undefined;
  private lastSeen = '';
  private nudged = false;
  current: { task: Task; controller: AbortController; done: Promise<void> } | undefined;

  constructor(private readonly deps: TaskLoopDeps) {}

  /** Runs until `stop()`; never throws (a task that throws is failed and the loop goes on). */
  async run(): Promise<void> {
    while (!this.stopping) {
      let task: Task | undefined;
      try {
        this.nudged = false; // what changes from here on is looked at after this look
        task = (await this.claimed()) ?? (await this.take());
      } catch (error) {
        this.deps.logger.error({ err: error }, 'could not take a task');
      }
      if (!task) {
        await this.idle();
        continue;
      }
      const taken = task;
      const controller = new AbortController();
      const done = this.deps
        .process(taken, controller.signal)
        .catch((error) => this.deps.crashed(taken, error));
      this.current = { task: taken, controller, done };
      await done;
      this.current = undefined;
    }
  }

  /**
   * Reserves an idle loop's next task for an update about to be written (a save's): the save
   * and the start of its check are one write. Undefined when the loop is busy or stopping.
   */
  reserve(): Reservation | undefined {
    if (this.stopping || !this.wakeUp || this.claim) return undefined;
    let settle = () => {};
    let said = false;
    const claim = {
      task: undefined as Task | undefined,
      settled: new Promise<void>((resolve) => (settle = resolve)),
    };
    this.claim = claim;
    this.wakeUp(); // the loop now waits for the reservation
    return {
      take: (state, now) => {
        claim.task = this.pick(state, now);
        return claim.task;
      },
      done: (written) => {
        if (said) return; // said once: a later call changes nothing
        said = true;
        if (!written) claim.task = undefined;
        settle();
      },
    };
  }

  /** The task a reservation took for this loop, once it was written. */
  private async claimed(): Promise<Task | undefined> {
    const claim = this.claim;
    if (!claim) return undefined;
    await claim.settled;
    this.claim = undefined;
    if (claim.task) this.started(claim.task);
    return claim.task;
  }

  /** Wakes an idle loop at once (the watcher just queued something). */
  wake(): void {
    this.lastSeen = '';
    this.nudge();
  }

  /** Ends an idle wait now, or the next one if none: the state file changed (read if it did). */
  nudge(): void {
    this.nudged = true;
    this.wakeUp?.();
  }

  /** Stops taking tasks; the current one goes on until it ends or is aborted. */
  stop(): void {
    this.stopping = true;
    this.nudge();
  }

  private async idle(): Promise<void> {
    // A change seen while the loop was busy looking: look again at once.
    if (this.nudged) {
      this.nudged = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.deps.pollMs ?? 500);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }

  /** Moves the next pending task to in_progress, or undefined when there is none. */
  private async take(): Promise<Task | undefined> {
    const seen = await stat(this.deps.store.file).then(
      (s) => `${s.mtimeMs}:${s.size}`,
      () => 'missing',
    );
    if (seen === this.lastSeen) return undefined;
    this.lastSeen = seen;
    const select = this.deps.select ?? ((inOrder) => inOrder[0]);
    // Nothing this lane may take (none pending, or only orders waiting for their parents): no
    // write, so an idle daemon with a blocked order leaves the state file alone.
    const read = await this.deps.store.read();
    if (!select(pendingInOrder(read), read)) return undefined;
    const now = isoAt(this.deps.clock);
    const taken = await this.deps.store.update((state) => this.pick(state, now));
    if (taken) this.started(taken);
    return taken;
  }

  /** Moves the pending task this lane takes next to in_progress (inside an update). */
  private pick(state: State, now: string): Task | undefined {
    const select = this.deps.select ?? ((inOrder) => inOrder[0]);
    const next = select(pendingInOrder(state), state);
    if (!next) return undefined;
    recordEvent(state, now, 'task_started', { task_id: next.id });
    return moveTask(state, next.id, 'in_progress', now, { step: 'checking', started_at: now });
  }

  private started(task: Task): void {
    const fields = { task: task.id, type: task.type, file: task.file_path };
    this.deps.logger.info(fields, 'task started');
  }
}
