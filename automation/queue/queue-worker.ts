/**
 * `fixloop worker`'s engine: a BullMQ worker taking work orders from the shared queue, up to
 * `concurrency` at once, each in a slot whose record (host, pid, status, task, step, done,
 * last_seen) is kept in Redis and refreshed every heartbeat. Redis going away is survived: the
 * connection is retried with backoff, said once, and the orders wait in Redis meanwhile.
 */
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Clock, isoAt } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { Task } from '../store/schema.js';
import type { OrderJobData } from './job-task.js';
import { bounded, connectionReason, lastingRedis, redisLabel } from './redis.js';
import { jobOptions, KEY_PREFIX } from './shared-queue.js';
import { type BoardRecord, WorkerBoard } from './worker-board.js';

export interface QueueWorkerDeps {
  url: string;
  /** The project's queue (see name.ts). */
  name: string;
  concurrency: number;
  lockMs: number;
  beatMs: number;
  me: { host: string; pid: number };
  clock: Clock;
  logger: Logger;
  /** One line for the console. */
  say: (line: string) => void;
  /** Carries out one order (JobRunner.run). */
  run: (job: Job<OrderJobData>, token: string, signal: AbortSignal) => Promise<Task>;
  /** The step an order under way here is at. */
  stepOf: (taskId: string) => Promise<string | null>;
}

export class QueueWorker {
  private readonly records = new Map<string, BoardRecord>();
  private readonly free: string[];
  private readonly active = new Map<string, AbortController>();
  private readonly redis: Redis;
  /** The BullMQ worker's own connection (it duplicates it for blocking reads). */
  private readonly workerRedis: Redis;
  private readonly board: WorkerBoard;
  readonly queue: Queue<OrderJobData>;
  private worker: Worker<OrderJobData, Task> | undefined;
  private beat: NodeJS.Timeout | undefined;
  private down = false;

  constructor(private readonly deps: QueueWorkerDeps) {
    const { host, pid } = deps.me;
    this.free = Array.from({ length: deps.concurrency }, (_, i) => `${host}:${pid}:w${i + 1}`);
    this.redis = this.connect();
    this.workerRedis = this.connect();
    this.board = new WorkerBoard(this.redis, `${KEY_PREFIX}:${deps.name}:workers`);
    this.queue = new Queue(deps.name, { connection: this.redis, prefix: KEY_PREFIX });
    this.queue.on('error', (e) => deps.logger.warn({ err: e }, 'queue error'));
  }

  /** Records the slots as idle and starts taking orders. */
  async start(): Promise<void> {
    const now = isoAt(this.deps.clock);
    for (const id of this.free)
      this.records.set(id, {
        ...this.deps.me,
        status: 'idle',
        task_id: null,
        step: null,
        started_at: now,
        last_seen: now,
        done: 0,
        beat_ms: this.deps.beatMs,
      });
    void this.publish();
    const { lockMs } = this.deps;
    this.worker = new Worker<OrderJobData, Task>(
      this.deps.name,
      (job, token) => this.process(job, token as string),
      {
        connection: this.workerRedis,
        prefix: KEY_PREFIX,
        concurrency: this.deps.concurrency,
        lockDuration: lockMs,
        stalledInterval: Math.max(1000, lockMs),
        // A worker that died mid-order is not the order's fault: stalls are counted apart from
        // failures, and only a tenth stall fails it.
        maxStalledCount: 10,
      },
    );
    this.worker.on('error', (e) => this.deps.logger.warn({ err: e }, 'worker error'));
    this.worker.on('stalled', (id) =>
      this.deps.say(`Order ${id} was held by a worker that stopped answering; it runs again`),
    );
    this.worker.on('completed', (job) => void this.wake(String(job.id)));
    this.worker.on('failed', (job) => void (job && this.wake(String(job.id))));
    this.beat = setInterval(() => void this.heartbeat(), this.deps.beatMs);
  }

  /** A split order's parts, as children of its job: it runs again once they have all ended. */
  async addChildren(parent: Job<OrderJobData>, children: Task[], base: string | null) {
    const flow = { id: String(parent.id), queue: parent.queueQualifiedName };
    for (const child of children)
      await this.queue.add(
        child.id,
        { task: child, base },
        {
          ...jobOptions(child),
          parent: flow,
          // A failed part does not stall the parent: it runs and fails naming that part.
          ignoreDependencyOnFailure: true,
        },
      );
  }

  /** Orders that build on another wait for it here; its end wakes them (a timer backs this up). */
  readonly dependents = {
    wait: async (parent: string, child: string) => {
      await this.redis.sadd(this.afterKey(parent), child);
    },
  };

  private afterKey(parent: string): string {
    return `${KEY_PREFIX}:${this.deps.name}:after:${parent}`;
  }

  private async wake(parent: string): Promise<void> {
    try {
      const ids = await this.redis.smembers(this.afterKey(parent));
      await this.redis.del(this.afterKey(parent));
      for (const id of ids) {
        const job = await this.queue.getJob(id);
        if (job && (await job.isDelayed())) await job.promote();
      }
    } catch (error) {
      this.deps.logger.debug({ err: error, parent }, 'waiting orders not woken; their timer will');
    }
  }

  /** The slots' records (what `fixloop workers` shows for this process). */
  get slots(): ReadonlyMap<string, BoardRecord> {
    return this.records;
  }

  private async process(job: Job<OrderJobData>, token: string): Promise<Task> {
    const slot = this.free.shift() as string;
    const controller = new AbortController();
    this.active.set(slot, controller);
    this.mark(slot, { status: 'busy', task_id: job.data.task.id, step: 'starting' });
    let ended = false;
    try {
      const record = await this.deps.run(job, token, controller.signal);
      ended = true;
      return { ...record, worker_id: slot };
    } catch (error) {
      if (error instanceof UnrecoverableError) ended = true;
      throw error;
    } finally {
      const done = (this.records.get(slot)?.done ?? 0) + (ended ? 1 : 0);
      this.mark(slot, { status: 'idle', task_id: null, step: null, done });
      this.active.delete(slot);
      this.free.unshift(slot);
    }
  }

  private mark(slot: string, change: Partial<BoardRecord>): void {
    const record = this.records.get(slot);
    if (!record) return;
    Object.assign(record, change, { last_seen: isoAt(this.deps.clock) });
    void this.publish();
  }

  private async heartbeat(): Promise<void> {
    const now = isoAt(this.deps.clock);
    for (const record of this.records.values()) {
      record.last_seen = now;
      if (record.task_id) record.step = (await this.deps.stepOf(record.task_id)) ?? record.step;
    }
    await this.publish();
  }

  private async publish(): Promise<void> {
    await this.board
      .put(Object.fromEntries(this.records))
      .catch((e) => this.deps.logger.debug({ err: e }, 'worker records not written'));
  }

  /** A connection that retries with backoff, saying once that Redis is away and when it is back. */
  private connect(): Redis {
    const label = redisLabel(this.deps.url);
    let reason = 'connection lost';
    const client = lastingRedis(this.deps.url, (_attempt, delay) => {
      if (this.down) return;
      this.down = true;
      this.deps.say(
        `Redis at ${label} is unreachable (${reason}); retrying with backoff ` +
          `(${delay / 1000} s, then up to 5 s); orders wait in Redis meanwhile`,
      );
    });
    client.on('error', (e) => {
      reason = connectionReason(e);
      this.deps.logger.debug({ err: e }, 'redis connection error');
    });
    client.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      this.deps.say(`Redis at ${label} is reachable again; taking orders`);
    });
    return client;
  }

  /**
   * Stops taking orders; those under way get `timeoutMs` to finish, then are aborted and go back
   * to waiting for another worker. The slots are recorded as stopped.
   */
  async stop(timeoutMs: number): Promise<void> {
    const closing = this.worker?.close() ?? Promise.resolve();
    if (this.active.size) {
      const tasks = [...this.records.values()].flatMap((r) => (r.task_id ? [r.task_id] : []));
      this.deps.say(`Waiting up to ${timeoutMs / 1000} s for ${tasks.join(', ')} to finish...`);
      const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), timeoutMs).unref());
      if ((await Promise.race([closing.then(() => 'closed' as const), timer])) === 'late') {
        this.deps.say(`${tasks.join(', ')} did not finish in time; back to the queue`);
        for (const c of this.active.values()) c.abort();
      }
    }
    // Redis away: BullMQ's close would wait for it; what is left is taken again by lock expiry.
    const closed = closing.catch((e) => this.deps.logger.warn({ err: e }, 'worker close failed'));
    await bounded(closed, 5000, () => this.deps.say('Redis unreachable; stopped without it'));
    clearInterval(this.beat);
    for (const slot of this.records.keys())
      this.mark(slot, { status: 'stopped', task_id: null, step: null });
    await bounded(this.publish(), 2000, () => {});
    await bounded(
      this.queue.close().catch(() => {}),
      2000,
      () => {},
    );
    this.redis.disconnect();
    this.workerRedis.disconnect();
  }
}
