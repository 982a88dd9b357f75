/**
 * The shared queue as commands and the daemon use it (CONTRACT.md §7): work orders added as BullMQ
 * jobs (job id = task id, priority = the order's), and read back as tasks and workers.
 */
import { type Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Clock, isoAt } from '../clock.js';
import type { WorkerRecord } from '../lanes/workers.js';
import { emptyState, type State, type Task } from '../store/schema.js';
import { TaskInputError, TaskNotFoundError, TaskStateError } from '../tasks/errors.js';
import { enqueue } from '../tasks/queue.js';
import { checkedDescription, type OrderInput } from '../work/queue-order.js';
import { checkedJobData, checkedRecord } from './job-record.js';
import { JOB_PRIORITY, type JobSnapshot, type OrderJobData, sharedView } from './job-task.js';
import { queueNameFor } from './name.js';
import { bounded, redisLabel } from './redis.js';
import { WorkerBoard } from './worker-board.js';

/** Prefix of every key fixloop keeps in Redis. */
export const KEY_PREFIX = 'fixloop';

/** The states a job is listed from, and how many of each at most. */
const LISTED = [
  'active',
  'waiting',
  'prioritized',
  'delayed',
  'waiting-children',
  'failed',
  'completed',
] as const;
const LIST_MAX = 500;

/** Finished jobs are kept this long (their records are the orders' history). */
export const KEEP_FINISHED = { age: 30 * 24 * 3600, count: 5000 };

/** How every order's job is added: id = task id, its priority, finished jobs kept a while. */
export function jobOptions(task: Task) {
  return {
    jobId: task.id,
    priority: JOB_PRIORITY[task.priority],
    removeOnComplete: KEEP_FINISHED,
    removeOnFail: KEEP_FINISHED,
  };
}

export class SharedQueue {
  readonly queue: Queue<OrderJobData>;
  readonly board: WorkerBoard;
  /** Where the queue lives, for messages (no password). */
  readonly label: string;

  constructor(
    private readonly redis: Redis,
    url: string,
    /** `origin`'s URL: names the queue. */
    origin: string,
  ) {
    const name = queueNameFor(origin);
    this.queue = new Queue<OrderJobData>(name, { connection: redis, prefix: KEY_PREFIX });
    this.board = new WorkerBoard(redis, `${KEY_PREFIX}:${name}:workers`);
    this.label = `${redisLabel(url)} (${name})`;
  }

  get name(): string {
    return this.queue.name;
  }

  /** Adds a work order starting from `base` (or from its `after` orders' results). */
  async add(input: OrderInput, base: string | null, clock: Clock): Promise<Task> {
    const description = checkedDescription(input.description);
    const after = [...new Set(input.after ?? [])];
    for (const id of after) if (!(await this.queue.getJob(id))) throw new TaskNotFoundError(id);
    let task: Task;
    do
      task = enqueue(
        emptyState(),
        {
          type: 'work',
          file_path: null,
          description,
          priority: input.priority ?? 'normal',
          files: [...new Set(input.files ?? [])],
          ...(after.length ? { after } : {}),
          ...(input.split ? { split: true } : {}),
          source: input.source,
        },
        isoAt(clock),
      ).task;
    while (await this.queue.getJob(task.id));
    await this.queue.add(task.id, { task, base }, jobOptions(task));
    return task;
  }

  /** Puts `task` (queued elsewhere, e.g. by the daemon's intake) on the queue once. */
  async forward(task: Task, base: string | null): Promise<Job<OrderJobData>> {
    const existing = await this.queue.getJob(task.id);
    if (existing) return existing;
    return this.queue.add(task.id, { task, base }, jobOptions(task));
  }

  /** Every listed job with its state. */
  async snapshots(): Promise<JobSnapshot[]> {
    const lists = await Promise.all(
      LISTED.map(async (state) =>
        (await this.queue.getJobs([state], 0, LIST_MAX - 1)).map((job) => snapshot(job, state)),
      ),
    );
    const seen = new Set<string>();
    // A job moving between two reads shows once, in the state read first (active comes first).
    return lists
      .flat()
      .filter((j) => j.data?.task && !seen.has(String(j.id)) && !!seen.add(String(j.id)));
  }

  /** Redis's own report (INFO: version, memory policy, persistence), for `fixloop doctor`. */
  info(): Promise<string> {
    return this.redis.info();
  }

  /** The shared workers, judged at `nowMs`. */
  workers(nowMs: number): Promise<Record<string, WorkerRecord>> {
    return this.board.list(nowMs);
  }

  /** `state` with the shared queue's orders and workers laid over it. */
  async view(state: State, nowMs: number): Promise<State> {
    const [jobs, workers] = await Promise.all([this.snapshots(), this.workers(nowMs)]);
    return sharedView(state, jobs, workers);
  }

  /** A failed order back to waiting (`fixloop retry`). */
  async retry(id: string): Promise<Task> {
    const job = await this.job(id);
    await this.expect(job, 'failed', 'retried');
    const task = { ...job.data.task, retry_count: job.data.task.retry_count + 1 };
    await job.updateData({ task, base: job.data.base });
    await job.retry('failed');
    return task;
  }

  /** Answers an order waiting for input (`fixloop respond`): it runs again with the answer. */
  async respond(id: string, answer: string): Promise<Task> {
    if (!answer.trim())
      throw new TaskInputError('The answer is empty; give the answer as the second argument.');
    const job = await this.job(id);
    await this.expect(job, 'needs_input', 'answered');
    const question = (job.returnvalue as Task).question;
    const task = { ...job.data.task, answer, ...(question ? { question } : {}) };
    await job.updateData({ task, base: job.data.base });
    await job.retry('completed');
    return task;
  }

  /** Removes an order that has not started (`fixloop cancel`). */
  async cancel(id: string): Promise<Task> {
    const job = await this.job(id);
    await this.expect(job, 'pending', 'cancelled');
    await job.remove();
    return { ...job.data.task, status: 'completed', outcome: 'cancelled' };
  }

  /** The job of task `id`, its data checked (a malformed one is refused, saying why). */
  private async job(id: string): Promise<Job<OrderJobData>> {
    const job = await this.queue.getJob(id);
    if (!job?.data?.task) throw new TaskNotFoundError(id);
    try {
      job.data = checkedJobData(job.data, job.id);
    } catch (error) {
      throw new TaskStateError((error as Error).message, id);
    }
    return job;
  }

  private async expect(job: Job<OrderJobData>, want: string, verb: string): Promise<void> {
    const state = await job.getState();
    const record = job.returnvalue as Task | undefined;
    const is =
      state === 'completed'
        ? record?.status === 'needs_input'
          ? 'needs_input'
          : 'completed'
        : ['waiting', 'prioritized', 'delayed'].includes(state)
          ? 'pending'
          : state === 'active'
            ? 'in_progress'
            : state;
    if (is !== want)
      throw new TaskStateError(
        `Task ${job.id} is ${is} on the shared queue, so it cannot be ${verb}; ` +
          `only ${want} tasks can.`,
        String(job.id),
      );
  }

  /** Closes the queue (and the connection it was given). */
  /** The transcript lines the workers put on order `id`'s job; undefined when there is no job. */
  async logLines(id: string): Promise<string[] | undefined> {
    const job = await this.queue.getJob(id);
    if (!job) return undefined;
    return (await this.queue.getJobLogs(id, 0, -1)).logs;
  }

  async close(): Promise<void> {
    await bounded(
      this.queue.close().catch(() => {}),
      2000,
      () => {},
    );
    this.redis.disconnect();
  }
}

/**
 * A job as views read it, its records checked first: one whose order is malformed is not shown; a
 * malformed result shows the order failed, saying why.
 */
function snapshot(job: Job<OrderJobData>, state: string): JobSnapshot {
  let data: OrderJobData;
  try {
    data = checkedJobData(job.data, job.id);
  } catch {
    return { id: job.id, data: undefined as unknown as OrderJobData, returnvalue: null, state };
  }
  const base = {
    id: job.id,
    data,
    failedReason: job.failedReason,
    stalledCounter: job.stalledCounter,
  };
  if (state !== 'completed' || !job.returnvalue)
    return { ...base, returnvalue: job.returnvalue, state };
  try {
    return { ...base, returnvalue: checkedRecord(job.returnvalue, `job ${job.id}`), state };
  } catch (error) {
    return { ...base, returnvalue: null, failedReason: (error as Error).message, state: 'failed' };
  }
}
