/**
 * The daemon's work lane when QUEUE_URL is set: the orders its intake, `POST /tasks` and splits
 * queue in the state file are put on the shared queue (never carried out here), followed there,
 * and their ends recorded back, so the GitHub issue, the pull request and the escalations follow
 * them as they follow local orders. Saves of the working tree never come here.
 */
import type { Job } from 'bullmq';
import type { TaskOutcomes } from '../daemon/outcomes.js';
import type { WorkLane } from '../lanes/lanes.js';
import type { Logger } from '../log/logger.js';
import type { Task } from '../store/schema.js';
import { checkedRecord } from './job-record.js';
import type { OrderJobData } from './job-task.js';
import { bounded } from './redis.js';
import type { SharedQueue } from './shared-queue.js';

/** Orders followed at once. */
const SLOTS = 32;
/** How long a Redis command may take before Redis counts as away (commands wait for it). */
const ANSWER_MS = 10_000;

export interface ForwardLaneDeps {
  /** The shared queue (a lasting connection, opened once). */
  queue: () => Promise<SharedQueue>;
  /** The commit an order starts from when it builds on nothing (this clone's HEAD). */
  base: () => Promise<string | null>;
  outcomes: TaskOutcomes;
  logger: Logger;
  say: (line: string) => void;
  pollMs: number;
}

/** The fields of a finished record worth keeping in the state. */
const KEPT = ['plan', 'usage', 'attempts', 'base_commit', 'worker_id', 'result', 'stalls'];

export function forwardLane(deps: ForwardLaneDeps): WorkLane {
  return {
    remote: { slots: SLOTS },
    process: async (task, signal) => {
      const away = () => {
        throw new Error('Redis did not answer');
      };
      try {
        const queue = await deps.queue();
        const base = await deps.base();
        const job = await bounded(forward(queue, task, base), ANSWER_MS, away, signal);
        deps.say(`Work order ${task.id} is on the shared queue (${queue.label})`);
        await follow(deps, job, task, signal);
      } catch (error) {
        if (signal.aborted) return deps.outcomes.putBack(task, 'the daemon stopped');
        deps.logger.warn({ err: error, task: task.id }, 'work order not forwarded');
        await deps.outcomes.putBack(
          task,
          `the shared queue could not be reached: ${String(error)}`,
        );
        await sleep(deps.pollMs * 10, signal);
      }
    },
  };
}

/** Puts `task` on the queue once; a finished job runs again if it was answered or retried since. */
async function forward(queue: SharedQueue, task: Task, base: string | null) {
  const job = await queue.forward(task, base);
  const state = await job.getState();
  if (state !== 'completed' && state !== 'failed') return job;
  const queued = job.data.task;
  const retried =
    typeof task.retried_at === 'string' && Date.parse(task.retried_at) > (job.finishedOn ?? 0);
  if (queued.answer === task.answer && !retried) return job; // its end is not recorded yet
  await job.updateData({ task, base: job.data.base });
  await job.retry(state);
  return job;
}

/** Waits for the job to end, then records how it ended. */
async function follow(
  deps: ForwardLaneDeps,
  job: Job<OrderJobData>,
  task: Task,
  signal: AbortSignal,
) {
  let started = false;
  while (!signal.aborted) {
    const { queue } = await deps.queue();
    // Redis away: the order waits there; the state is read again at the next poll.
    const asked = queue.getJobState(String(job.id)).catch(() => 'unreachable');
    const state = await bounded(asked, ANSWER_MS, () => 'unreachable', signal);
    if (state === 'active' && !started) {
      started = true;
      deps.outcomes.started(task);
    }
    if (state === 'completed' || state === 'failed' || state === 'unknown') {
      return record(deps, task, (await queue.getJob(String(job.id))) ?? undefined, state);
    }
    await sleep(deps.pollMs, signal);
  }
  await deps.outcomes.putBack(task, 'the daemon stopped; the order stays on the shared queue');
}

async function record(
  deps: ForwardLaneDeps,
  task: Task,
  job: Job<OrderJobData> | undefined,
  state: string,
): Promise<void> {
  let ended: Task | undefined;
  let malformed: string | undefined;
  try {
    const raw = state === 'completed' ? job?.returnvalue : job?.data.record;
    ended = raw ? checkedRecord(raw, `job ${task.id}`) : undefined;
  } catch (error) {
    malformed = (error as Error).message;
  }
  const patch = Object.fromEntries(Object.entries(ended ?? {}).filter(([k]) => KEPT.includes(k)));
  if (state === 'completed' && ended?.status === 'needs_input')
    return deps.outcomes.needsInput(task, ended.question ?? 'a question', patch);
  if (state === 'completed' && ended) return deps.outcomes.finish(task, 'done', patch, undefined);
  const error =
    malformed ??
    (state === 'unknown'
      ? 'it was removed from the shared queue'
      : (ended?.error ?? job?.failedReason ?? 'failed on the shared queue'));
  await deps.outcomes.finish(task, 'failed', { ...patch, error }, undefined);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
