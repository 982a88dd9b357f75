/**
 * Doctor checks of the shared queue (QUEUE_URL): Redis answers, keeps every key
 * (`maxmemory-policy noeviction`) and its data across restarts, and the queue's workers.
 */
import type { Config } from '../config/config.js';
import { openSharedQueue } from '../queue/open.js';
import { bounded, COMMAND_DEADLINE_MS, notAnswering } from '../queue/redis.js';
import type { SharedQueue } from '../queue/shared-queue.js';
import { type Check, fail, ok, skip, warn } from './check.js';

/** The shared queue's checks; skipped when QUEUE_URL is unset (embedded). */
export async function queueChecks(config: Config, nowMs: number): Promise<Check[]> {
  if (!config.queue.url) return [skip('shared queue', 'embedded (set QUEUE_URL to share it)')];
  let queue: Awaited<ReturnType<typeof openSharedQueue>>;
  try {
    queue = await openSharedQueue(config);
  } catch (error) {
    return [fail('shared queue', (error as Error).message, 'start Redis or fix QUEUE_URL')];
  }
  if (!queue) return [];
  const url = config.queue.url;
  try {
    return await bounded(redisChecks(queue, nowMs), COMMAND_DEADLINE_MS, () => {
      throw notAnswering(url, COMMAND_DEADLINE_MS);
    });
  } catch (error) {
    return [fail('shared queue', (error as Error).message, 'check that QUEUE_URL points at Redis')];
  } finally {
    await queue.close();
  }
}

/** What Redis and the queue's workers say, asked on an open queue. */
async function redisChecks(queue: SharedQueue, nowMs: number): Promise<Check[]> {
  const checks: Check[] = [];
  const info = await queue.info();
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1] ?? '?';
  const aof = /aof_enabled:1/.test(info);
  const counts = await queue.queue.getJobCounts();
  const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0);
  checks.push(
    ok(
      'shared queue',
      `${queue.label}: Redis ${version}, ${waiting} waiting, ${counts.active ?? 0} active`,
    ),
    policy === 'noeviction'
      ? ok('Redis eviction', 'maxmemory-policy noeviction')
      : fail(
          'Redis eviction',
          `maxmemory-policy ${policy}: Redis may drop queued orders when memory runs short`,
          'set maxmemory-policy noeviction in redis.conf (or --maxmemory-policy noeviction)',
        ),
    aof
      ? ok('Redis persistence', 'append-only file on')
      : warn(
          'Redis persistence',
          'append-only file off: a restart loses what changed since the last snapshot, if any',
          'set appendonly yes in redis.conf (or --appendonly yes)',
        ),
  );
  const workers = Object.values(await queue.workers(nowMs));
  const live = workers.filter((w) => w.status === 'idle' || w.status === 'busy').length;
  checks.push(
    live
      ? ok('queue workers', `${live} live (${workers.length} known)`)
      : warn(
          'queue workers',
          'none live: orders wait until one starts',
          'run "fixloop worker" in a clone of the repository',
        ),
  );
  return checks;
}
