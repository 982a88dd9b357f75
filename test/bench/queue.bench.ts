/**
 * The shared queue: how long an added order waits before a worker starts it (shared queue beside
 * the embedded one, in one run), and 100 orders through 4 `fixloop worker` processes beside 25
 * through 1 (throughput). The model answers at once: what is measured is fixloop and git.
 */
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { it } from 'vitest';
import { systemClock } from '../../automation/clock.js';
import { queueNameFor } from '../../automation/queue/name.js';
import { commandRedis } from '../../automation/queue/redis.js';
import { KEY_PREFIX, SharedQueue } from '../../automation/queue/shared-queue.js';
import { runCli, startCli } from '../support/cli.js';
import { readState } from '../support/daemon.js';
import { fakeAnthropic } from '../support/fake-anthropic.js';
import { git } from '../support/git.js';
import { startRedis } from '../support/redis.js';
import { tempDir } from '../support/tmp.js';
import { parallelModel, workEnv, workRepo } from '../support/work-repo.js';
import { fmt, machine, median, percentile, report, sleep } from './support.js';

const LATENCY_ORDERS = 10;

function project(clones: number) {
  const { root, origin } = workRepo();
  git(root, 'push', '-q', 'origin', 'HEAD:main');
  git(origin, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  const others = Array.from({ length: clones }, () => {
    const dir = join(tempDir('fixloop-clone-'), 'repo');
    git(tempDir(), 'clone', '-q', origin, dir);
    return dir;
  });
  return { root, origin, others };
}

/** Starts a process and resolves once its output matches. */
async function started(args: string[], cwd: string, env: Record<string, string>, ready: RegExp) {
  const child = startCli(args, { cwd, env });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  while (!ready.test(out)) await sleep(20);
  return child;
}

async function stop(child: ReturnType<typeof startCli>) {
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
}

/** Embedded: the daemon's own worker; `started_at - created_at` per order, one at a time. */
async function embeddedLatency(): Promise<number[]> {
  const { root } = project(0);
  const fake = await fakeAnthropic();
  fake.route = parallelModel(0);
  const env = workEnv(root, fake, { HEARTBEAT_INTERVAL_SECONDS: '30' });
  const daemon = await started(['watch'], root, env, /Watching/);
  const waits: number[] = [];
  for (let i = 0; i < LATENCY_ORDERS; i++) {
    const id = (await runCli(['add', `make e${i}`], { cwd: root, env })).stdout.trim();
    for (;;) {
      const t = readState(root).queues.completed.find((x) => x.id === id);
      if (t) {
        waits.push(Date.parse(t.started_at as string) - Date.parse(t.created_at));
        break;
      }
      await sleep(20);
    }
  }
  await stop(daemon);
  await fake.close();
  return waits;
}

/** Shared: one worker; the job's `processedOn - timestamp` per order, one at a time. */
async function sharedLatency(url: string): Promise<number[]> {
  const { root, origin, others } = project(1);
  const fake = await fakeAnthropic();
  fake.route = parallelModel(0);
  const shared = { QUEUE_URL: url, HEARTBEAT_INTERVAL_SECONDS: '30' };
  const env = workEnv(root, fake, shared);
  const dir = others[0] as string;
  const worker = await started(['worker'], dir, workEnv(dir, fake, shared), /Taking work/);
  const queue = new Queue(queueNameFor(origin), {
    connection: await commandRedis(url),
    prefix: KEY_PREFIX,
  });
  const waits: number[] = [];
  for (let i = 0; i < LATENCY_ORDERS; i++) {
    const id = (await runCli(['add', `make s${i}`], { cwd: root, env })).stdout.trim();
    for (;;) {
      const job = await queue.getJob(id);
      if (job?.finishedOn) {
        waits.push((job.processedOn as number) - job.timestamp);
        break;
      }
      await sleep(20);
    }
  }
  await queue.close();
  await stop(worker);
  await fake.close();
  return waits;
}

/** `orders` no-op orders through `processes` worker processes: orders per second. */
async function throughput(url: string, processes: number, orders: number): Promise<number> {
  const { root, origin, others } = project(processes);
  const fake = await fakeAnthropic();
  fake.route = parallelModel(0);
  const shared = { QUEUE_URL: url, HEARTBEAT_INTERVAL_SECONDS: '30' };
  const workers = await Promise.all(
    others.map((dir) =>
      started(['worker', '--concurrency', '1'], dir, workEnv(dir, fake, shared), /Taking work/),
    ),
  );
  const queue = new SharedQueue(await commandRedis(url), url, origin);
  const t0 = performance.now();
  for (let i = 0; i < orders; i++)
    await queue.add({ description: `make o${i}`, source: { kind: 'bench' } }, null, systemClock);
  for (;;) {
    const counts = await queue.queue.getJobCounts('completed', 'failed');
    if ((counts.failed ?? 0) > 0) throw new Error('an order failed');
    if (counts.completed === orders) break;
    await sleep(50);
  }
  const seconds = (performance.now() - t0) / 1000;
  await queue.close();
  await Promise.all(workers.map(stop));
  await fake.close();
  void root;
  return orders / seconds;
}

it('shared queue: enqueue-to-start latency beside the embedded queue; worker throughput', async () => {
  const redis = await startRedis();
  const embedded = await embeddedLatency();
  const shared = await sharedLatency(redis.url);
  const one = await throughput(redis.url, 1, 25);
  const four = await throughput(redis.url, 4, 100);
  const row = (name: string, v: number[], base: number) => [
    name,
    fmt(median(v), 0),
    fmt(percentile(v, 90), 0),
    `${fmt(median(v) / base, 2)}×`,
  ];
  report(
    `Shared queue: enqueue-to-start latency, ${LATENCY_ORDERS} orders one at a time (${machine()})`,
    ['queue', 'median ms', 'p90 ms', 'ratio'],
    [
      row('embedded (state file)', embedded, median(embedded)),
      row('shared (BullMQ, 1 worker)', shared, median(embedded)),
    ],
    ['From `fixloop add` writing the order to a worker taking it.'],
  );
  report(
    `Shared queue: orders through worker processes (${machine()})`,
    ['worker processes', 'orders', 'orders/s', 'ratio'],
    [
      ['1', 25, fmt(one, 2), '1.00'],
      ['4', 100, fmt(four, 2), `${fmt(four / one, 2)}×`],
    ],
    [
      'Each order: an instant plan and one file, node --test, a commit and a push to a local bare origin.',
    ],
  );
});
