/**
 * Work orders as BullMQ jobs and back (pure): what a job carries, its priority, and the task a job
 * stands for in each of its states, so `tasks`, `status` and the dashboard read the shared queue
 * as they read the state file.
 */
import type { WorkerRecord } from '../lanes/workers.js';
import type { Priority, QueueName, State, Task } from '../store/schema.js';

/** What a work order's job carries. */
export interface OrderJobData {
  /** The order as queued (answers and retries update it). */
  task: Task;
  /** The commit it starts from when it builds on nothing: the adder's HEAD. */
  base: string | null;
  /** A failed order's record (attempts, plan, usage), kept with the job. */
  record?: Task;
  /** Why a started order went back to waiting (its parents are not done yet). */
  waiting?: string;
}

/** BullMQ priorities: 1 is taken first (0 would mean "no priority": plain FIFO, before all). */
export const JOB_PRIORITY: Record<Priority, number> = { critical: 1, high: 2, normal: 3, low: 4 };

/** The parts of a job the view reads (a Job, or a test's plain object). */
export interface JobSnapshot {
  id?: string | undefined;
  data: OrderJobData;
  returnvalue: unknown;
  failedReason?: string | undefined;
  stalledCounter?: number;
  /** BullMQ's state name: waiting, prioritized, delayed, active, completed, failed… */
  state: string;
}

/** The task a job stands for, and the queue it is in. */
export function taskOfJob(
  job: JobSnapshot,
  workerOf: (taskId: string) => { id: string; step: string | null } | undefined,
): { queue: QueueName; task: Task } {
  const stalls = job.stalledCounter ? { stalls: job.stalledCounter } : {};
  const queued = job.data.task;
  if (job.state === 'completed' && job.returnvalue && typeof job.returnvalue === 'object') {
    const record = job.returnvalue as Task;
    const queue = record.status === 'needs_input' ? 'needs_input' : 'completed';
    return { queue, task: { ...record, ...stalls } };
  }
  if (job.state === 'failed') {
    const error = job.data.record?.error ?? job.failedReason ?? 'failed';
    const record = job.data.record ?? queued;
    return {
      queue: 'failed',
      task: { ...record, status: 'failed', outcome: 'failed', error, ...stalls },
    };
  }
  if (job.state === 'active') {
    const worker = workerOf(queued.id);
    return {
      queue: 'in_progress',
      task: {
        ...queued,
        status: 'in_progress',
        step: worker?.step ?? 'starting',
        worker_id: worker?.id ?? null,
        ...stalls,
      },
    };
  }
  const waiting = job.data.waiting ? { last_interruption: job.data.waiting } : {};
  return { queue: 'pending', task: { ...queued, status: 'pending', ...waiting, ...stalls } };
}

/**
 * `state` with the shared queue's orders and workers laid over it: a job's task replaces a task of
 * the same id; the workers are the shared ones.
 */
export function sharedView(
  state: State,
  jobs: readonly JobSnapshot[],
  workers: Record<string, WorkerRecord>,
): State {
  const view: State = structuredClone(state);
  const byTask = new Map<string, { id: string; step: string | null }>();
  for (const [id, w] of Object.entries(workers))
    if (w.task_id && w.status === 'busy') byTask.set(w.task_id, { id, step: w.step });
  for (const job of jobs) {
    const { queue, task } = taskOfJob(job, (id) => byTask.get(id));
    for (const q of Object.keys(view.queues) as QueueName[])
      view.queues[q] = view.queues[q].filter((t) => t.id !== task.id);
    view.queues[queue].push(task);
  }
  // Finished queues read oldest first, as the state file keeps them.
  for (const q of ['completed', 'failed', 'needs_input'] as const)
    view.queues[q].sort((a, b) => a.updated_at.localeCompare(b.updated_at));
  view.workers = { ...workers } as unknown as State['workers'];
  return view;
}
