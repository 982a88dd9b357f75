/** Turns the watcher's batches of saves into tasks in the state file. */
import { isoAt } from '../clock.js';
import type { FileEvent } from '../watch/batcher.js';
import { batchToTasks } from '../watch/to-tasks.js';
import type { CoreDeps } from './seams.js';

export interface SaveIntakeDeps extends Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'console'> {
  maxBatchSize: number;
  /** Called after tasks were queued (the task loop wakes up). */
  onQueued: () => void;
}

export class SaveIntake {
  private readonly writes = new Set<Promise<unknown>>();

  constructor(private readonly deps: SaveIntakeDeps) {}

  /** Queues one batch (never throws; a failure is said and logged). */
  add(batch: FileEvent[]): void {
    const { store, console: out } = this.deps;
    const write = store
      .update((state) => batchToTasks(state, batch, this.deps.maxBatchSize, isoAt(this.deps.clock)))
      .then((made) => {
        for (const { task, created } of made) {
          const what =
            task.type === 'bulk_change' ? `${task.file_count} files (bulk change)` : task.file_path;
          const verb = created ? 'Created task' : 'Updated pending task';
          const fields = { task: task.id, type: task.type, file: task.file_path };
          this.deps.logger.info(fields, created ? 'task created' : 'pending task updated');
          out.line('Orchestrator', `${verb} ${task.id} for ${what}`);
        }
        this.deps.onQueued();
      })
      .catch((error) => {
        const files = batch.map((e) => e.path);
        this.deps.logger.error({ err: error, files }, 'could not queue a batch');
        const message = `Could not queue ${batch.length} change(s): ${(error as Error).message}`;
        out.line('Orchestrator', out.style.red(message));
      });
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** Waits for batches still being written (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled(this.writes);
  }
}
