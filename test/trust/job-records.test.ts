/**
 * Job records on the shared queue are untrusted: a record planted in Redis whose result names its
 * branch `--upload-pack=<command>` is refused in one sentence by `fixloop apply` and by a worker
 * building on it, and the command never runs (records are checked, and git is given
 * `--end-of-options`). A real redis-server, bare origin, CLI and worker.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { queueNameFor } from '../../automation/queue/name.js';
import { KEY_PREFIX } from '../../automation/queue/shared-queue.js';
import { runCli } from '../support/cli.js';
import { startDaemon } from '../support/daemon.js';
import { fakeAnthropic } from '../support/fake-anthropic.js';
import { git } from '../support/git.js';
import { startRedis } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { workEnv, workRepo } from '../support/work-repo.js';

describe('job records from Redis', () => {
  it('a result naming its branch as a git option is refused, and nothing runs', async () => {
    const redis = await startRedis();
    const { root, origin, head } = workRepo();
    git(root, 'push', '-q', 'origin', 'HEAD:main');
    git(origin, 'symbolic-ref', 'HEAD', 'refs/heads/main');
    const clone = join(tempDir('fixloop-clone-'), 'repo');
    git(tempDir(), 'clone', '-q', origin, clone);
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake, { QUEUE_URL: redis.url });
    const marker = join(tempDir('fixloop-pwned-'), 'ran');
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const name = queueNameFor(realpathSync(origin));
    // Someone with access to Redis plants a finished order whose branch is an option.
    const id = 'task_0badc0de';
    const now = new Date().toISOString();
    const task = {
      ...{ id, type: 'work', file_path: null, description: 'innocent', priority: 'normal' },
      ...{ created_at: now, updated_at: now, status: 'pending', retry_count: 0, attempts: [] },
    };
    const queue = new Queue(name, { connection, prefix: KEY_PREFIX });
    await queue.add(id, { task, base: head }, { jobId: id });
    const planted = new Worker(
      name,
      async () => ({
        ...task,
        status: 'completed',
        outcome: 'done',
        result: {
          branch: `--upload-pack=touch ${marker};`,
          commit: 'a'.repeat(40),
          files: ['src/x.js'],
        },
      }),
      { connection, prefix: KEY_PREFIX },
    );
    await new Promise<void>((resolve) => planted.on('completed', () => resolve()));
    await planted.close();

    const applied = await runCli(['apply', id], { cwd: root, env });
    expect(applied.code).toBe(1);
    expect(applied.stderr).toMatch(
      /result\.branch: must be fixloop\/<task-id> or fixloop\/issue-<N>/,
    );
    expect(applied.stderr.trim().split('\n')).toHaveLength(1);

    // A worker asked to build on it refuses it the same way.
    const child = (await runCli(['add', 'build on it', '--after', id], { cwd: root, env })).stdout;
    const worker = startDaemon(clone, workEnv(clone, fake, { QUEUE_URL: redis.url }), ['worker']);
    await worker.waitFor(/Taking work orders from/);
    const until = Date.now() + 60_000;
    let listed: Array<{ id: string; outcome?: string; error?: string }> = [];
    while (Date.now() < until) {
      const run = await runCli(['tasks', '--json'], { cwd: root, env });
      listed = JSON.parse(run.stdout).tasks;
      if (listed.find((t) => t.id === child.trim())?.outcome) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(listed.find((t) => t.id === child.trim())).toMatchObject({
      outcome: 'failed',
      error: expect.stringMatching(/it builds on task_0badc0de, but the job record .* malformed/),
    });
    expect(existsSync(marker)).toBe(false);
    worker.child.kill('SIGINT');
    await worker.exited;
    await queue.close();
  }, 120_000);
});
