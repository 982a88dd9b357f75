/**
 * Records what happened to a task taken from the queue: finished, back to pending, waiting,
 * crashed.
 */
import { recordFlaky } from '../check/flaky-history.js';
import { testId, type Verdict } from '../check/verdict.js';
import { type Clock, isoAt } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { DaemonConsole } from '../output/console.js';
import type { Outcome, State, Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { moveTask, recordEvent } from '../tasks/queue.js';
import type { EntryBody } from '../transcript/entry.js';
import type { Transcribe } from '../transcript/writer.js';
import { requeue } from './ownership.js';
import type { TaskObserver } from './seams.js';
import { countInState, type SessionStats } from './stats.js';

export interface OutcomesDeps {
  store: StateStore;
  clock: Clock;
  logger: Logger;
  console: DaemonConsole;
  stats: SessionStats;
  observers?: readonly TaskObserver[];
  /** The tasks' transcripts (`fixloop logs`): steps and endings are written here. */
  transcript?: Transcribe;
}

export class TaskOutcomes {
  constructor(private readonly deps: OutcomesDeps) {}

  /** Moves the task to completed (or failed), counts it, and tells the observers (one write). */
  async finish(
    task: Task,
    outcome: Outcome,
    patch: Record<string, unknown>,
    verdict: Verdict | undefined,
    /** The check's test record, written in the same update. */
    record?: State['test_results'][number],
  ): Promise<void> {
    const queue = outcome === 'failed' ? 'failed' : 'completed';
    const now = isoAt(this.deps.clock);
    const finished = await this.deps.store.update((state: State) => {
      if (record) state.test_results.push(record);
      recordEvent(state, now, 'task_finished', { task_id: task.id, outcome });
      countInState(state, outcome);
      if (verdict?.flaky.length) recordFlaky(state, verdict.flaky.map(testId), now);
      const done = { ...patch, outcome, step: undefined, running: undefined };
      return moveTask(state, task.id, queue, now, done, task);
    });
    const fields = { task: task.id, outcome, error: finished.error ?? undefined };
    const result = finished.result;
    if (result?.verification_line)
      this.note(task, { kind: 'verification', line: String(result.verification_line) });
    if (result?.branch) {
      const { branch, commit, pushed, pr_url, push_error } = result;
      const push = push_error ? { push_error: String(push_error) } : {};
      this.note(task, { kind: 'delivery', branch, commit, pushed: !!pushed, pr_url, ...push });
    }
    this.note(task, { kind: 'end', status: queue, outcome, error: finished.error ?? null }, true);
    if (outcome === 'failed') this.deps.logger.warn(fields, 'task failed');
    else this.deps.logger.info(fields, 'task finished');
    const s = this.deps.stats;
    s.processed++;
    if (outcome === 'failed') s.failed++;
    else s.succeeded++;
    this.notify((o) => o.taskFinished(finished, verdict));
  }

  /** A work order begins: the observers are told (nothing is written). */
  started(task: Task): void {
    this.notify((o) => o.taskStarted?.(task));
  }

  /** The task waits for the developer's answer to `question`. */
  async needsInput(task: Task, question: string, patch: Record<string, unknown>): Promise<void> {
    const now = isoAt(this.deps.clock);
    const waiting = await this.deps.store.update((state) => {
      recordEvent(state, now, 'task_needs_input', { task_id: task.id, question });
      return moveTask(
        state,
        task.id,
        'needs_input',
        now,
        { ...patch, question, step: undefined },
        task,
      );
    });
    this.deps.logger.info({ task: task.id, question }, 'task needs input');
    this.note(task, { kind: 'end', status: 'needs_input', question }, true);
    this.notify((o) => o.taskNeedsInput?.(waiting));
    this.deps.console.line(
      'Orchestrator',
      `? ${task.id} needs your input: ${question}\n` +
        `  answer with: fixloop respond ${task.id} "<answer>"`,
    );
  }

  /** Back to pending (the user edited a file mid-fix, or the daemon is stopping). */
  async putBack(task: Task, reason: string, patch: Record<string, unknown> = {}): Promise<void> {
    this.deps.logger.info({ task: task.id, reason }, 'task back to pending');
    this.note(task, { kind: 'step', step: `back to pending: ${reason}` });
    const update = { ...patch, last_interruption: reason };
    await this.deps.store.update((state) =>
      requeue(state, task.id, isoAt(this.deps.clock), update, 'task_requeued', task),
    );
  }

  /** A task whose processing threw: failed with the reason (or recovered at the next start). */
  async crashed(task: Task, error: unknown): Promise<void> {
    const message = (error as Error).message;
    this.deps.logger.error({ err: error, task: task.id }, 'task crashed');
    const out = this.deps.console;
    out.line('Orchestrator', `${out.style.red('✗')} ${task.id} crashed: ${message}`);
    try {
      await this.finish(task, 'failed', { error: `internal error: ${message}` }, undefined);
    } catch (again) {
      this.deps.logger.error(
        { err: again, task: task.id },
        'could not record the crashed task; ' +
          'it stays in_progress and is recovered at the next start',
      );
    }
  }

  /** The step last asked for, per task: an earlier write that lands later must not win. */
  private readonly latestStep = new Map<string, string>();

  /** Records the task's current step (status and the dashboard show it). */
  async setStep(id: string, step: string): Promise<void> {
    const mine = `${step}\0${Math.random()}`;
    this.transcribed.add(id);
    this.deps.transcript?.(id, { kind: 'step', step });
    this.latestStep.set(id, mine);
    await this.deps.store
      .update((state) => {
        // Writes race for the lock (parallel workers): only the latest step is recorded.
        if (this.latestStep.get(id) !== mine) return;
        const t = state.queues.in_progress.find((x) => x.id === id);
        if (t) t.step = step;
        // The worker carrying it out shows the same step.
        for (const w of Object.values(state.workers)) if (w.task_id === id) w.step = step;
      })
      .catch((error) => this.deps.logger.warn({ err: error }, 'could not record the step'))
      .finally(() => {
        if (this.latestStep.get(id) === mine) this.latestStep.delete(id);
      });
  }

  /** Tasks whose transcript has begun: a work order's, or a check's once its fix began. */
  private readonly transcribed = new Set<string>();

  /** Begins (or continues) the task's transcript with `entry`. */
  transcribe(task: Task, entry: EntryBody): void {
    this.transcribed.add(task.id);
    this.deps.transcript?.(task.id, entry);
  }

  /** Writes to the task's transcript when it has one (a clean check gets none: one per save). */
  private note(task: Task, entry: EntryBody, last = false): void {
    if (task.type !== 'work' && !this.transcribed.has(task.id)) return;
    this.deps.transcript?.(task.id, entry);
    if (last) this.transcribed.delete(task.id);
  }

  private notify(call: (o: TaskObserver) => void): void {
    for (const o of this.deps.observers ?? []) {
      try {
        call(o);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'task observer failed');
      }
    }
  }
}
