import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DaemonRunningError } from '../../automation/daemon/errors.js';
import { claimOwnership } from '../../automation/daemon/ownership.js';
import { emptyState } from '../../automation/store/schema.js';
import { enqueue, moveTask } from '../../automation/tasks/queue.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const me = { pid: process.pid, host: hostname(), projectRoot: '/p', heartbeatMs: 30_000 };

function owned(pid: number, heartbeatAgoMs: number, status: 'running' | 'stopped' = 'running') {
  const state = emptyState();
  const at = new Date(NOW - heartbeatAgoMs).toISOString();
  state.processes.orchestrator = {
    status,
    pid,
    host: hostname(),
    project_root: '/p',
    started_at: at,
    last_heartbeat: at,
    last_health_check: {},
  };
  return state;
}

describe('claimOwnership', () => {
  it('claims a fresh state file', () => {
    const state = emptyState();
    expect(claimOwnership(state, me, NOW, 'f')).toEqual({ recovered: [], tookOverFrom: null });
    expect(state.processes.orchestrator).toMatchObject({
      status: 'starting',
      pid: process.pid,
      project_root: '/p',
      heartbeat_interval_seconds: 30,
    });
  });

  it('refuses a live owner with a fresh heartbeat, naming its pid', () => {
    const state = owned(process.ppid, 1000);
    expect(() => claimOwnership(state, me, NOW, 'f')).toThrow(DaemonRunningError);
    expect(() => claimOwnership(state, me, NOW, 'f')).toThrow(new RegExp(`pid ${process.ppid}`));
  });

  it('takes over a dead owner or a stale heartbeat, and a stopped one silently', () => {
    expect(claimOwnership(owned(2 ** 22 + 12345, 1000), me, NOW, 'f').tookOverFrom).toBe(
      2 ** 22 + 12345,
    );
    expect(claimOwnership(owned(process.ppid, 61_000), me, NOW, 'f').tookOverFrom).toBe(
      process.ppid,
    );
    expect(
      claimOwnership(owned(process.ppid, 1000, 'stopped'), me, NOW, 'f').tookOverFrom,
    ).toBeNull();
  });

  const interruptedTasks =
    'puts interrupted tasks back in pending with retry_count + 1, or skips them when superseded';
  it(interruptedTasks, () => {
    const state = emptyState();
    const a = enqueue(
      state,
      { type: 'file_change', file_path: 'a.ts', description: 'a' },
      't',
    ).task;
    const b = enqueue(
      state,
      { type: 'file_change', file_path: 'b.ts', description: 'b' },
      't',
    ).task;
    moveTask(state, a.id, 'in_progress', 't');
    moveTask(state, b.id, 'in_progress', 't');
    const twin = enqueue(
      state,
      { type: 'file_change', file_path: 'b.ts', description: 'b again' },
      't2',
    ).task;
    const { recovered } = claimOwnership(state, me, NOW, 'f');
    expect(recovered).toEqual([a.id, b.id]);
    expect(state.queues.in_progress).toEqual([]);
    expect(state.queues.pending.map((t) => [t.id, t.retry_count])).toEqual([
      [twin.id, 0],
      [a.id, 1],
    ]);
    expect(state.queues.completed).toEqual([
      expect.objectContaining({ id: b.id, outcome: 'skipped', error: `superseded by ${twin.id}` }),
    ]);
  });
});
