/** Turns a flushed batch of file events into tasks (pure; runs inside StateStore.update). */
import type { State, Task } from '../store/schema.js';
import { enqueue, queueIndex } from '../tasks/queue.js';
import type { FileEvent } from './batcher.js';

/** Samples of paths kept on a bulk task, so it stays small. */
const BULK_SAMPLE = 20;

/**
 * One `file_change` task per file (a file already pending is refreshed, not queued twice), or,
 * for more than `maxBatchSize` files (a branch switch), one `bulk_change` task for the whole suite.
 */
export function batchToTasks(
  state: State,
  batch: readonly FileEvent[],
  maxBatchSize: number,
  now: string,
): Array<{ task: Task; created: boolean }> {
  if (batch.length === 0) return [];
  if (batch.length > maxBatchSize) {
    const existing = state.queues.pending.find((t) => t.type === 'bulk_change');
    const files = batch.map((e) => e.path);
    if (existing) {
      existing.updated_at = now;
      existing.file_count =
        (typeof existing.file_count === 'number' ? existing.file_count : 0) + files.length;
      return [{ task: existing, created: false }];
    }
    return [
      enqueue(
        state,
        {
          type: 'bulk_change',
          file_path: null,
          description: `${files.length} files changed at once; run the whole suite`,
          file_count: files.length,
          files: files.slice(0, BULK_SAMPLE),
        },
        now,
      ),
    ];
  }
  const index = queueIndex(state);
  return batch.map((e) =>
    enqueue(
      state,
      {
        type: 'file_change',
        file_path: e.path,
        change: e.kind,
        description:
          e.kind === 'deleted'
            ? `${e.path} was deleted; run the tests that used it`
            : `${e.path} ${e.kind === 'added' ? 'was added' : 'changed'}; run its related tests`,
      },
      now,
      index,
    ),
  );
}
