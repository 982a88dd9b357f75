/**
 * Turns the watcher's batches of saves into tasks in the state file. A batch the store cannot
 * take (a full disk, a lock that cannot be had) is kept in memory and queued when the store
 * works again: a save is never dropped while the daemon runs.
 */
import { isoAt } from '../clock.js';
import type { Reservation } from '../lanes/task-loop.js';
import type { FileEvent } from '../watch/batcher.js';
import { batchToTasks } from '../watch/to-tasks.js';
import type { CoreDeps } from './seams.js';

export interface SaveIntakeDeps extends Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'console'> {
  maxBatchSize: number;
  /** Called after tasks were queued (the task loop wakes up), with the saved paths. */
  onQueued: (paths: string[]) => void;
  /** The saves lane's next task, taken in the same write as the save (when the lane is idle). */
  reserve?: () => Reservation | undefined;
  /** How long to wait before trying held saves again. */
  retryMs?: number;
}

export class SaveIntake {
  private readonly writes = new Set<Promise<unknown>>();
  /** Saves not yet in the state, by path (the latest kind of change wins). */
  private held = new Map<string, FileEvent['kind']>();
  private retry: NodeJS.Timeout | undefined;
  /** The store refused a batch and has not taken one since (said once). */
  private stuck = false;

  constructor(private readonly deps: SaveIntakeDeps) {}

  /** Queues one batch (never throws; a batch that cannot be written is held and retried). */
  add(batch: FileEvent[]): void {
    const write = this.write(batch);
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** Waits for batches being written, and tries held ones once more (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled(this.writes);
    clearTimeout(this.retry);
    if (this.held.size) await this.write(this.takeHeld());
    if (this.held.size) {
      const files = [...this.held.keys()];
      this.deps.logger.error({ files }, 'saves could not be queued before the daemon stopped');
    }
  }

  private takeHeld(): FileEvent[] {
    const batch = [...this.held].map(([path, kind]) => ({ path, kind }));
    this.held = new Map();
    return batch;
  }

  private async write(batch: FileEvent[]): Promise<void> {
    const { store, console: out } = this.deps;
    const claim = this.deps.reserve?.();
    try {
      const made = await store.update((state) => {
        const now = isoAt(this.deps.clock);
        const tasks = batchToTasks(state, batch, this.deps.maxBatchSize, now);
        claim?.take(state, now);
        return tasks;
      });
      claim?.done(true);
      for (const { task, created } of made) {
        const what =
          task.type === 'bulk_change' ? `${task.file_count} files (bulk change)` : task.file_path;
        const verb = created ? 'Created task' : 'Updated pending task';
        const fields = { task: task.id, type: task.type, file: task.file_path };
        this.deps.logger.info(fields, created ? 'task created' : 'pending task updated');
        out.line('Orchestrator', `${verb} ${task.id} for ${what}`);
      }
      this.deps.onQueued(batch.map((e) => e.path));
      this.stuck = false;
      if (this.held.size) this.scheduleRetry(0); // the store works again: no need to wait
    } catch (error) {
      claim?.done(false);
      const first = !this.stuck;
      this.stuck = true;
      for (const e of batch) {
        this.held.delete(e.path); // re-inserted last: the latest change of a path wins
        this.held.set(e.path, e.kind);
      }
      const files = batch.map((e) => e.path);
      this.deps.logger.error({ err: error, files }, 'could not queue a batch; it is kept');
      if (first) {
        const message =
          `Could not queue ${batch.length} change(s) (${(error as Error).message}); ` +
          'they are kept and queued as soon as the state file can be written';
        out.line('Orchestrator', out.style.red(message));
      }
      this.scheduleRetry();
    }
  }

  private scheduleRetry(delayMs = this.deps.retryMs ?? 2000): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      const batch = this.takeHeld();
      if (batch.length === 0) return;
      void this.write(batch).then(() => {
        if (this.held.size === 0) {
          const n = batch.length;
          this.deps.console.line(
            'Orchestrator',
            `Queued ${n} change(s) kept while the state was stuck`,
          );
        }
      });
    }, delayMs);
    this.retry.unref();
  }
}
