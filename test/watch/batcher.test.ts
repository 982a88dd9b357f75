import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyState } from '../../automation/store/schema.js';
import { Batcher, type FileEvent } from '../../automation/watch/batcher.js';
import { batchToTasks } from '../../automation/watch/to-tasks.js';

describe('Batcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function make(debounceMs = 2000, maxWaitMs?: number) {
    const batches: FileEvent[][] = [];
    const b = new Batcher({
      debounceMs,
      ...(maxWaitMs ? { maxWaitMs } : {}),
      onFlush: (x) => batches.push(x),
    });
    return { b, batches };
  }

  it('flushes once after the quiet time, trailing and reset by each event', () => {
    const { b, batches } = make();
    b.push({ path: 'a.ts', kind: 'changed' });
    vi.advanceTimersByTime(1500);
    b.push({ path: 'b.ts', kind: 'changed' });
    vi.advanceTimersByTime(1999);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toEqual([
      [
        { path: 'a.ts', kind: 'changed' },
        { path: 'b.ts', kind: 'changed' },
      ],
    ]);
  });

  it('keeps one entry per path with its latest kind', () => {
    const { b, batches } = make(100);
    b.push({ path: 'a.ts', kind: 'changed' });
    b.push({ path: 'b.ts', kind: 'changed' });
    b.push({ path: 'a.ts', kind: 'deleted' });
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([
      [
        { path: 'b.ts', kind: 'changed' },
        { path: 'a.ts', kind: 'deleted' },
      ],
    ]);
  });

  it('flushes a continuous stream at the max wait (5 × debounce by default)', () => {
    const { b, batches } = make(1000);
    for (let t = 0; t < 12_000; t += 500) {
      b.push({ path: `f${t}.ts`, kind: 'changed' });
      vi.advanceTimersByTime(500);
    }
    expect(batches.length).toBe(2);
    expect(batches[0]).toHaveLength(10); // events at 0..4500 ms, flushed at 5000
  });

  it('flush() empties it at once (stop), and is a no-op when empty', () => {
    const { b, batches } = make();
    b.flush();
    expect(batches).toEqual([]);
    b.push({ path: 'a.ts', kind: 'changed' });
    b.flush();
    vi.advanceTimersByTime(10_000);
    expect(batches).toEqual([[{ path: 'a.ts', kind: 'changed' }]]);
  });
});

describe('batchToTasks', () => {
  it('makes one file_change task per file, marking deletions', () => {
    const state = emptyState();
    const made = batchToTasks(
      state,
      [
        { path: 'a.ts', kind: 'changed' },
        { path: 'b.ts', kind: 'deleted' },
      ],
      10,
      't',
    );
    expect(made.map((m) => m.created)).toEqual([true, true]);
    expect(state.queues.pending).toEqual([
      expect.objectContaining({ type: 'file_change', file_path: 'a.ts', change: 'changed' }),
      expect.objectContaining({ type: 'file_change', file_path: 'b.ts', change: 'deleted' }),
    ]);
  });

  it('refreshes a file already pending instead of queuing it twice', () => {
    const state = emptyState();
    batchToTasks(state, [{ path: 'a.ts', kind: 'changed' }], 10, 't1');
    const again = batchToTasks(state, [{ path: 'a.ts', kind: 'changed' }], 10, 't2');
    expect(again[0]?.created).toBe(false);
    expect(state.queues.pending).toHaveLength(1);
    expect(state.queues.pending[0]?.updated_at).toBe('t2');
  });

  it('turns more than MAX_BATCH_SIZE files into one bulk_change task', () => {
    const state = emptyState();
    const batch = Array.from({ length: 11 }, (_, i) => ({
      path: `f${i}.ts`,
      kind: 'changed' as const,
    }));
    batchToTasks(state, batch, 10, 't1');
    expect(state.queues.pending).toEqual([
      expect.objectContaining({ type: 'bulk_change', file_path: null, file_count: 11 }),
    ]);
    batchToTasks(state, batch, 10, 't2');
    expect(state.queues.pending).toHaveLength(1);
    expect(state.queues.pending[0]?.file_count).toBe(22);
    batchToTasks(state, batch.slice(0, 10), 10, 't3');
    expect(state.queues.pending).toHaveLength(11);
  });
});
