import { describe, expect, it } from 'vitest';
import { emptyState } from '../../automation/store/schema.js';
import {
  allTasks,
  enqueue,
  findTask,
  moveTask,
  pendingInOrder,
  supersedePendingTwin,
} from '../../automation/tasks/queue.js';

describe('task queue', () => {
  it('creates tasks with the contract fields', () => {
    const state = emptyState();
    const { task, created } = enqueue(
      state,
      { type: 'file_change', file_path: 'src/a.ts', description: 'Check src/a.ts' },
      '2026-01-01T00:00:00.000Z',
    );
    expect(created).toBe(true);
    expect(task).toMatchObject({
      type: 'file_change',
      file_path: 'src/a.ts',
      priority: 'normal',
      status: 'pending',
      retry_count: 0,
      attempts: [],
    });
    expect(task.id).toMatch(/^task_[0-9a-f]{8}$/);
    expect(state.conversation_history.at(-1)).toMatchObject({
      type: 'task_created',
      task_id: task.id,
    });
  });

  const onePendingPerFile =
    'keeps at most one pending task per file, refreshing it and keeping the higher priority';
  it(onePendingPerFile, () => {
    const state = emptyState();
    const first = enqueue(
      state,
      { type: 'file_change', file_path: 'a.ts', description: 'one', priority: 'high' },
      't1',
    ).task;
    const again = enqueue(
      state,
      { type: 'file_change', file_path: 'a.ts', description: 'two', priority: 'low' },
      't2',
    );
    expect(again.created).toBe(false);
    expect(again.task.id).toBe(first.id);
    expect(state.queues.pending).toHaveLength(1);
    expect(state.queues.pending[0]).toMatchObject({
      description: 'two',
      priority: 'high',
      updated_at: 't2',
      created_at: 't1',
    });
    enqueue(
      state,
      { type: 'manual', file_path: 'a.ts', description: 'please look', priority: 'critical' },
      't3',
    );
    expect(state.queues.pending[0]).toMatchObject({
      type: 'manual',
      description: 'please look',
      priority: 'critical',
    });
    enqueue(state, { type: 'file_change', file_path: 'a.ts', description: 'auto' }, 't4');
    expect(state.queues.pending[0]).toMatchObject({ type: 'manual', description: 'please look' });
  });

  it('takes pending tasks by priority, then age', () => {
    const state = emptyState();
    enqueue(
      state,
      { type: 'manual', file_path: null, description: 'low', priority: 'low' },
      '2026-01-01T00:00:01Z',
    );
    enqueue(
      state,
      { type: 'manual', file_path: null, description: 'n-old' },
      '2026-01-01T00:00:02Z',
    );
    enqueue(
      state,
      { type: 'manual', file_path: null, description: 'crit', priority: 'critical' },
      '2026-01-01T00:00:03Z',
    );
    enqueue(
      state,
      { type: 'manual', file_path: null, description: 'n-new' },
      '2026-01-01T00:00:04Z',
    );
    expect(pendingInOrder(state).map((t) => t.description)).toEqual([
      'crit',
      'n-old',
      'n-new',
      'low',
    ]);
  });

  it('moves a task between queues so that it is always in exactly one', () => {
    const state = emptyState();
    const { task } = enqueue(state, { type: 'manual', file_path: null, description: 'x' }, 't1');
    moveTask(state, task.id, 'in_progress', 't2');
    const done = moveTask(state, task.id, 'completed', 't3', { outcome: 'clean' });
    expect(done).toMatchObject({ status: 'completed', outcome: 'clean', updated_at: 't3' });
    expect(allTasks(state).filter((t) => t.id === task.id)).toHaveLength(1);
    expect(findTask(state, task.id)?.queue).toBe('completed');
  });

  it('supersedes a pending twin when a task for the same file goes back to pending', () => {
    const state = emptyState();
    const old = enqueue(
      state,
      { type: 'file_change', file_path: 'a.ts', description: 'a' },
      't1',
    ).task;
    moveTask(state, old.id, 'needs_input', 't2', { question: 'q' });
    const fresh = enqueue(
      state,
      { type: 'file_change', file_path: 'a.ts', description: 'a again' },
      't3',
    ).task;
    expect(supersedePendingTwin(state, old, 't4')?.id).toBe(fresh.id);
    moveTask(state, old.id, 'pending', 't4');
    expect(state.queues.pending.map((t) => t.id)).toEqual([old.id]);
    expect(state.queues.completed).toEqual([
      expect.objectContaining({
        id: fresh.id,
        outcome: 'skipped',
        error: `superseded by ${old.id}`,
      }),
    ]);
  });
});
