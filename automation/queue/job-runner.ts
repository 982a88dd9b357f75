/**
 * Runs one work order taken from the shared queue on this machine: waits for the orders it builds
 * on (their results fetched from origin), carries it out with the work stage on a private state
 * file, and turns how it ended into the job's result — completed with its record, failed with it,
 * back to waiting when the worker stops, or delayed while its parents are not done.
 */
import {
  DelayedError,
  type Job,
  UnrecoverableError,
  WaitingChildrenError,
  WaitingError,
} from 'bullmq';
import { type Clock, isoAt } from '../clock.js';
import type { Git } from '../git/git.js';
import type { WorkLane } from '../lanes/lanes.js';
import { QUEUE_NAMES, type State, type Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { findTask } from '../tasks/queue.js';
import type { Transcribe } from '../transcript/writer.js';
import { WorkError } from '../work/errors.js';
import { checkedJobData, checkedRecord } from './job-record.js';
import type { OrderJobData } from './job-task.js';

/** Orders waiting for a parent, woken when it ends (a timed re-check backs this up). */
export interface Dependents {
  wait(parentId: string, childId: string): Promise<void>;
}

/** How an order ended here, and the parts a split made of it. */
interface Ran {
  record: Task;
  children: Task[];
}

export interface JobRunnerDeps {
  getJob: (id: string) => Promise<Job<OrderJobData> | undefined>;
  /** Puts a split order's parts on the queue as children of its job (a BullMQ flow). */
  addChildren: (parent: Job<OrderJobData>, children: Task[], base: string | null) => Promise<void>;
  dependents: Dependents;
  git: Git;
  repoRoot: string;
  /** This process's own state file: the work stage records the order there. */
  store: StateStore;
  lane: WorkLane;
  clock: Clock;
  /** What becomes of a delivered order's record before it is the job's (its pull request). */
  delivered?: (record: Task) => Promise<Task>;
  /** How long a waiting order sleeps before it looks at its parents again. */
  recheckMs: number;
  lockMs: number;
  /** The orders' transcripts (an order that could not be carried out ends its own here). */
  transcript?: Transcribe;
  /** Sends the order's transcript to `job`'s log while it runs here; the release flushes it. */
  logTo?: (taskId: string, job: Job<OrderJobData>) => () => Promise<void>;
}

export class JobRunner {
  /** Orders under way here: a job handed back to this process joins its run. */
  private readonly running = new Map<string, Promise<Ran>>();
  /** The latest lock token of each order here (a stalled job handed back gets a new one). */
  private readonly tokens = new Map<string, string>();

  constructor(private readonly deps: JobRunnerDeps) {}

  /** Carries out `job`; resolves to its record, or throws BullMQ's signal for what comes next. */
  async run(job: Job<OrderJobData>, token: string, signal: AbortSignal): Promise<Task> {
    // Job data is anyone's who can write to Redis: checked before git or the stage sees it.
    let data: OrderJobData;
    try {
      data = checkedJobData(job.data, job.id);
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    const { task } = data;
    this.tokens.set(task.id, token);
    const under = this.running.get(task.id);
    if (under) return this.settle(job, token, await under);
    const parents = await this.parents(task);
    if (parents.kind === 'waiting') {
      for (const id of parents.on) await this.deps.dependents.wait(id, task.id);
      await job.updateData({ ...job.data, waiting: `waiting for ${parents.on.join(', ')}` });
      await job.moveToDelayed(this.deps.clock.now() + this.deps.recheckMs, token);
      throw new DelayedError();
    }
    const run = this.carryOut(job, data, { token, signal }, parents.records);
    this.running.set(task.id, run);
    try {
      return await this.settle(job, token, await run);
    } finally {
      this.running.delete(task.id);
      this.tokens.delete(task.id);
    }
  }

  private async carryOut(
    job: Job<OrderJobData>,
    data: OrderJobData,
    { token, signal }: { token: string; signal: AbortSignal },
    parents: Task[],
  ): Promise<Ran> {
    const { task, base } = data;
    const now = isoAt(this.deps.clock);
    let fetchError: string | undefined;
    try {
      for (const p of parents)
        if (p.result?.commit) await this.ensureCommit(p.result.commit, p.result.branch);
      if (!parents.length && base) await this.ensureCommit(base);
    } catch (error) {
      fetchError = (error as Error).message;
    }
    const taken: Task = { ...task, status: 'in_progress', started_at: now, updated_at: now };
    await this.deps.store.update((s) => {
      forget(s, [task.id, ...parents.map((p) => p.id)]);
      s.queues.in_progress.push(taken);
      for (const p of parents) s.queues[p.status === 'failed' ? 'failed' : 'completed'].push(p);
    });
    const release = this.deps.logTo?.(task.id, job);
    try {
      if (fetchError) throw new WorkError(fetchError);
      await this.deps.lane.process(taken, signal, {
        base: parents.length ? undefined : (base ?? undefined),
        push: true,
        confirm: async () => {
          // Delivered only while this worker still holds the order (not after a stall).
          const latest = this.tokens.get(task.id) ?? token;
          if (!(await job.extendLock(latest, this.deps.lockMs)))
            throw new WorkError('another worker took this order over while it ran here');
        },
      });
    } catch (error) {
      const message = (error as Error).message;
      this.deps.transcript?.(task.id, { kind: 'end', status: 'failed', error: message });
      await this.deps.store.update((s) => {
        const t = s.queues.in_progress.find((x) => x.id === task.id);
        if (t) Object.assign(t, { status: 'failed', outcome: 'failed', error: message });
      });
    } finally {
      await release?.();
    }
    return this.deps.store.update((s) => {
      const found = findTask(s, task.id);
      const children = s.queues.pending.filter((t) => t.parent_id === task.id);
      forget(s, [task.id, ...parents.map((p) => p.id), ...children.map((c) => c.id)]);
      const lost = { ...taken, status: 'failed' as const, error: 'its record was lost' };
      return { record: found?.task ?? lost, children };
    });
  }

  /** The job's result from the order's record. */
  private async settle(job: Job<OrderJobData>, token: string, ran: Ran): Promise<Task> {
    const { record, children } = ran;
    if (record.status === 'completed') return (await this.deps.delivered?.(record)) ?? record;
    if (record.status === 'needs_input') return record;
    if (record.status === 'pending' && children.length) {
      // Split: the parts run as the job's children; it runs again (to merge them) after them.
      await this.deps.addChildren(job, children, job.data.base);
      await job.updateData({ task: record, base: job.data.base });
      if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    }
    if (record.status === 'failed') {
      await job.updateData({ task: job.data.task, base: job.data.base, record });
      throw new UnrecoverableError(record.error ?? 'failed');
    }
    // Put back: the worker is stopping (or the order could not start yet): it waits again.
    await job.moveToWait(token);
    throw new WaitingError();
  }

  /** The records of the orders `task` builds on, or those still running. */
  private async parents(
    task: Task,
  ): Promise<{ kind: 'ready'; records: Task[] } | { kind: 'waiting'; on: string[] }> {
    const records: Task[] = [];
    const waiting: string[] = [];
    for (const id of task.after ?? []) {
      const job = await this.deps.getJob(id);
      if (!job) continue; // gone: the stage fails the order naming it
      const state = await job.getState();
      let record: Task | undefined;
      let parent: OrderJobData;
      try {
        parent = checkedJobData(job.data, job.id);
        if (state === 'completed' && job.returnvalue)
          record = checkedRecord(job.returnvalue, `job ${id}`);
      } catch (error) {
        throw new UnrecoverableError(`it builds on ${id}, but ${(error as Error).message}`);
      }
      if (state === 'completed' && record && record.status !== 'needs_input') records.push(record);
      else if (state === 'failed')
        records.push({ ...(parent.record ?? parent.task), status: 'failed' });
      else waiting.push(id);
    }
    return waiting.length ? { kind: 'waiting', on: waiting } : { kind: 'ready', records };
  }

  /** Makes `commit` available here, fetching `branch` (or everything) from origin. */
  private async ensureCommit(commit: string, branch?: string): Promise<void> {
    const cwd = this.deps.repoRoot;
    const has = async () =>
      (await this.deps.git.run(['cat-file', '-e', `${commit}^{commit}`], { cwd })).code === 0;
    if (await has()) return;
    const args = ['fetch', '-q', '--no-write-fetch-head', '--end-of-options', 'origin'];
    const fetched = await this.deps.git.run(branch ? [...args, branch] : args, { cwd });
    if (await has()) return;
    throw new Error(
      `commit ${commit.slice(0, 12)} it starts from is not on origin` +
        (fetched.code ? ` (git fetch: ${fetched.stderr.trim().split('\n')[0]})` : '') +
        '; push the branch it was added from, then run "fixloop retry"',
    );
  }
}

/** Removes tasks from every queue of a state. */
function forget(s: State, ids: string[]): void {
  for (const q of QUEUE_NAMES) s.queues[q] = s.queues[q].filter((t) => !ids.includes(t.id));
}
