/**
 * A Redis that accepts connections but never answers (SIGSTOP) holds no command: `add`, `tasks`,
 * `workers` and `doctor` answer with one sentence and their exit code, `status` falls back to
 * this clone's state with a warning; a worker says once that Redis is not answering, and again
 * when it is back. Every command here is bounded by runCli's own 30 s limit, far below the
 * minutes such a Redis held them before. A real redis-server.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startDaemon } from '../support/daemon.js';
import { fakeAnthropic } from '../support/fake-anthropic.js';
import { git } from '../support/git.js';
import { startRedis } from '../support/redis.js';
import { workEnv, workRepo } from '../support/work-repo.js';

describe('a Redis that never answers', () => {
  it('holds no command, and a worker says so once and again when it is back', async () => {
    const redis = await startRedis();
    const { root, origin } = workRepo();
    git(root, 'push', '-q', 'origin', 'HEAD:main');
    const fake = await fakeAnthropic();
    const env = workEnv(root, fake, { QUEUE_URL: redis.url });
    expect((await runCli(['add', 'make alpha'], { cwd: root, env })).code).toBe(0);
    const worker = startDaemon(root, { ...env, MAX_WORKERS: '1' }, ['worker']);
    await worker.waitFor(/Taking work orders from/);
    redis.pause();
    const silent = /does not answer|did not answer/;
    // All at once: each waits on the silent Redis for its bounded time.
    const asked = [['add', 'make beta'], ['tasks', '--json'], ['workers'], ['doctor']];
    const [add, tasks, workers, doctor] = await Promise.all(
      asked.map((args) => runCli(args, { cwd: root, env })),
    );
    for (const [i, run] of [add, tasks, workers].entries()) {
      expect(run?.code, asked[i]?.join(' ')).toBe(1);
      expect(run?.stderr).toMatch(silent);
      expect(run?.stderr.trim().split('\n')).toHaveLength(1);
    }
    if (!doctor) throw new Error('doctor did not run');
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✗ shared queue .*did not answer within \d+ s/);
    const status = await runCli(['status', '--json'], { cwd: root, env });
    expect(status.code).toBe(3); // never started here: the exit code keeps its meaning
    expect(status.stderr).toMatch(/showing this clone only/);
    expect(JSON.parse(status.stdout).daemon).toBe('never_started');
    await worker.waitFor(
      /Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable \(it accepts connections but does not answer\)/,
      60_000,
    );
    redis.resume();
    await worker.waitFor(/is reachable again/, 60_000);
    worker.child.kill('SIGINT');
    await worker.exited;
    expect(origin).toBeTruthy();
  }, 180_000);
});
