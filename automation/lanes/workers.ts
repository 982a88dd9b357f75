/**
 * The workers of this daemon's work lane, recorded in the state's `workers` (CONTRACT.md §5):
 * each one's status, task, step and count of orders done, so `fixloop workers`, `GET /workers`
 * and the dashboard show every worker.
 */
import { type Clock, isoAt } from '../clock.js';
import type { State, Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { findTask } from '../tasks/queue.js';

export type WorkerStatus = 'idle' | 'busy' | 'stopped' | 'lost';

/** A lost worker (its daemon died) is shown for a day, then forgotten at the next start. */
const FORGET_LOST_MS = 24 * 3600_000;

/** One worker's record in the state. */
export interface WorkerRecord {
  host: string;
  pid: number;
  status: WorkerStatus;
  task_id: string | null;
  step: string | null;
  started_at: string;
  last_seen: string;
  done: number;
}

/** The state's workers, typed (the schema keeps them as plain records). */
export const workersOf = (state: State) => state.workers as unknown as Record<string, WorkerRecord>;

export class WorkerRegistry {
  readonly ids: string[];

  constructor(
    private readonly deps: {
      store: StateStore;
      clock: Clock;
      me: { host: string; pid: number };
      count: number;
      /** Whether a pid on this host is alive (a dead daemon's workers are `lost`). */
      alive: (pid: number) => boolean;
    },
  ) {
    const { host, pid } = deps.me;
    this.ids = Array.from({ length: deps.count }, (_, i) => `${host}:${pid}:w${i + 1}`);
  }

  /**
   * Records this daemon's workers as idle; workers of dead processes on this host are lost.
   * Records of stopped daemons, and lost ones older than a day, are dropped: restarts do not
   * pile them up.
   */
  async register(): Promise<void> {
    await this.update((workers, now) => {
      const forgetBefore = Date.parse(now) - FORGET_LOST_MS;
      for (const [id, w] of Object.entries(workers)) {
        const old = Date.parse(w.last_seen) < forgetBefore;
        if (w.status === 'stopped' || (w.status === 'lost' && old)) delete workers[id];
        else if (w.host === this.deps.me.host && !this.deps.alive(w.pid))
          Object.assign(w, { status: 'lost', task_id: null, step: null });
      }
      for (const id of this.ids) {
        const { host, pid } = this.deps.me;
        workers[id] = {
          host,
          pid,
          status: 'idle',
          task_id: null,
          step: null,
          started_at: now,
          last_seen: now,
          done: 0,
        };
      }
    });
  }

  /** Worker `id` took `task`. */
  busy(id: string, task: Task): Promise<void> {
    return this.update((workers, now) => {
      const w = workers[id];
      if (w) Object.assign(w, { status: 'busy', task_id: task.id, step: null, last_seen: now });
    });
  }

  /** Worker `id` is free again; `finished`: the order ended (not put back). */
  idle(id: string, finished: boolean): Promise<void> {
    return this.update((workers, now) => {
      const w = workers[id];
      if (!w) return;
      Object.assign(w, { status: 'idle', task_id: null, step: null, last_seen: now });
      if (finished) w.done++;
    });
  }

  /** Whether task `id` has ended (completed or failed), not been put back. */
  async settled(id: string): Promise<boolean> {
    const found = findTask(await this.deps.store.read(), id);
    return found?.queue === 'completed' || found?.queue === 'failed';
  }

  /** Heartbeat: this daemon's workers were seen now. */
  beat(): Promise<void> {
    return this.update((workers, now) => {
      for (const id of this.ids) if (workers[id]) (workers[id] as WorkerRecord).last_seen = now;
    });
  }

  /** At shutdown. */
  stopped(): Promise<void> {
    return this.update((workers, now) => {
      for (const id of this.ids) {
        const w = workers[id];
        if (w) Object.assign(w, { status: 'stopped', task_id: null, step: null, last_seen: now });
      }
    });
  }

  private async update(change: (workers: Record<string, WorkerRecord>, now: string) => void) {
    const now = isoAt(this.deps.clock);
    await this.deps.store.update((state) => change(workersOf(state), now));
  }
}
