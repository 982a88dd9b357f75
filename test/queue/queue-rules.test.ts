/** The shared queue's pure rules: queue names, worker records, jobs as tasks; its config. */
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../automation/config/load.js';
import { createGit } from '../../automation/git/git.js';
import { sharedView, taskOfJob } from '../../automation/queue/job-task.js';
import { originKey, originUrl, queueNameFor } from '../../automation/queue/name.js';
import { redisLabel } from '../../automation/queue/redis.js';
import { judgeRecords } from '../../automation/queue/worker-board.js';
import { emptyState, type Task } from '../../automation/store/schema.js';
import { runCli } from '../support/cli.js';
import { git } from '../support/git.js';
import { startRedis } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { workRepo } from '../support/work-repo.js';

const task = (id: string, extra: Partial<Task> = {}): Task => ({
  id,
  type: 'work',
  file_path: null,
  description: 'make it',
  priority: 'normal',
  created_at: '2026-11-22T10:00:00.000Z',
  updated_at: '2026-11-22T10:00:00.000Z',
  status: 'pending',
  retry_count: 0,
  attempts: [],
  ...extra,
});

describe('shared queue rules', () => {
  it('names one queue for every way of writing the same origin', () => {
    const names = [
      'git@github.com:acme/shop.git',
      'https://github.com/acme/shop',
      'https://user@GitHub.com/acme/shop.git/',
      'ssh://git@github.com/acme/shop.git',
    ].map(queueNameFor);
    expect(new Set(names).size).toBe(1);
    expect(names[0]).toMatch(/^fixloop-[0-9a-f]{12}$/);
    expect(queueNameFor('https://github.com/acme/other')).not.toBe(names[0]);
    expect(originKey('/srv/git/shop.git')).toBe('/srv/git/shop');
    expect(redisLabel('redis://:s3cret-pass@queue.internal:6380/2')).toBe(
      'redis://queue.internal:6380/2',
    );
  });

  it('names one queue for a relative local origin and a clone of it', async () => {
    const { root, origin } = workRepo();
    git(root, 'remote', 'set-url', 'origin', relative(root, origin));
    git(root, 'push', '-q', 'origin', 'HEAD:main');
    const clone = join(tempDir('fixloop-clone-'), 'repo');
    git(tempDir(), 'clone', '-q', origin, clone);
    const gitOf = createGit({ PATH: process.env.PATH ?? '' });
    const [mine, theirs] = await Promise.all([originUrl(gitOf, root), originUrl(gitOf, clone)]);
    expect(queueNameFor(mine)).toBe(queueNameFor(theirs));
  });

  it('reads a worker whose heartbeat is three beats old as lost, and forgets old ones', () => {
    const at = (iso: string) => ({
      host: 'h',
      pid: 1,
      status: 'busy' as const,
      task_id: 'task_00000001',
      step: 'planning',
      started_at: iso,
      last_seen: iso,
      done: 2,
      beat_ms: 1000,
    });
    const now = Date.parse('2026-11-22T10:00:10.000Z');
    const { workers, forget } = judgeRecords(
      {
        fresh: at('2026-11-22T10:00:08.000Z'),
        dead: at('2026-11-22T10:00:06.000Z'),
        ancient: { ...at('2026-11-20T10:00:00.000Z'), status: 'stopped' },
      },
      now,
    );
    expect(workers.fresh?.status).toBe('busy');
    expect(workers.dead).toMatchObject({ status: 'lost', task_id: null, done: 2 });
    expect(forget).toEqual(['ancient']);
  });

  it('shows each job state as the task queue a user expects', () => {
    const queued = task('task_00000001');
    const data = { task: queued, base: null };
    const none = () => undefined;
    expect(taskOfJob({ data, returnvalue: null, state: 'prioritized' }, none).queue).toBe(
      'pending',
    );
    const worker = () => ({ id: 'h:1:w1', step: 'planning' });
    expect(taskOfJob({ data, returnvalue: null, state: 'active' }, worker).task).toMatchObject({
      status: 'in_progress',
      worker_id: 'h:1:w1',
      step: 'planning',
    });
    const done = { ...queued, status: 'completed' as const, outcome: 'done' as const };
    const ended = taskOfJob(
      { data, returnvalue: done, state: 'completed', stalledCounter: 1 },
      none,
    );
    expect(ended).toMatchObject({ queue: 'completed', task: { outcome: 'done', stalls: 1 } });
    const asking = { ...queued, status: 'needs_input' as const, question: 'which?' };
    expect(taskOfJob({ data, returnvalue: asking, state: 'completed' }, none).queue).toBe(
      'needs_input',
    );
    const failed = taskOfJob(
      { data, returnvalue: null, failedReason: 'boom', state: 'failed' },
      none,
    );
    expect(failed).toMatchObject({ queue: 'failed', task: { outcome: 'failed', error: 'boom' } });
    // Laid over a state: a job replaces the local task of the same id.
    const state = emptyState();
    state.queues.in_progress.push(task('task_00000001', { status: 'in_progress' }));
    const view = sharedView(state, [{ data, returnvalue: done, state: 'completed' }], {});
    expect(view.queues.in_progress).toEqual([]);
    expect(view.queues.completed.map((t) => t.id)).toEqual(['task_00000001']);
    expect(state.queues.in_progress).toHaveLength(1);
  });

  it('rejects a QUEUE_URL that is not a Redis URL without echoing it, and bounds the lock', () => {
    const cwd = tempDir();
    const bad = { QUEUE_URL: 'http://:hunter22@example.test', QUEUE_LOCK_SECONDS: '0.1' };
    expect(() => loadConfig({ cwd, env: bad })).toThrow(
      /QUEUE_URL=\(value hidden\): expected a redis:\/\//,
    );
    expect(() => loadConfig({ cwd, env: bad })).toThrow(
      /QUEUE_LOCK_SECONDS="0.1": expected a number of seconds from 1 to 3600, e.g. 30$/m,
    );
    const config = loadConfig({ cwd, env: { QUEUE_URL: 'redis://:hunter22@q:6379' } });
    expect(config.secrets).toContain('hunter22');
    expect(config.secrets).not.toContain('redis://:hunter22@q:6379');
    expect(config.childEnv.QUEUE_URL).toBeUndefined();
  });

  it('fixloop worker without QUEUE_URL exits 2 saying what to set', async () => {
    const run = await runCli(['worker'], { cwd: tempDir(), env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/QUEUE_URL is required by fixloop worker/);
  });

  it('doctor checks the shared queue: reachable, noeviction, persistence, live workers', async () => {
    const doctor = async (url: string) => {
      const { root, origin } = workRepo();
      git(root, 'push', '-q', 'origin', 'HEAD:main');
      void origin;
      const run = await runCli(['doctor', '--json'], { cwd: root, env: { QUEUE_URL: url } });
      const checks = JSON.parse(run.stdout).checks as Array<{ name: string; status: string }>;
      return Object.fromEntries(
        checks.filter((c) => /queue|Redis/.test(c.name)).map((c) => [c.name, c.status]),
      );
    };
    const good = await startRedis('doctor-pass-12345');
    expect(await doctor(good.url)).toEqual({
      'shared queue': 'ok',
      'Redis eviction': 'ok',
      'Redis persistence': 'ok',
      'queue workers': 'warn',
    });
    const lossy = await startRedis(undefined, [
      '--maxmemory-policy',
      'allkeys-lru',
      '--appendonly',
      'no',
    ]);
    expect(await doctor(lossy.url)).toMatchObject({
      'Redis eviction': 'fail',
      'Redis persistence': 'warn',
    });
    await lossy.stop();
    expect(await doctor(lossy.url)).toEqual({ 'shared queue': 'fail' });
  }, 60_000);
});
