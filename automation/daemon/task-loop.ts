/**
 * The event loop: takes one pending task at a time (priority, then age), checks it, and records the
 * outcome.
 */
import { stat } from 'node:fs/promises';
import { failureReason, testRecord } from '../check/record.js';
import { targetFor } from '../check/target.js';
import type { Verdict } from '../check/verdict.js';
import { type Clock, isoAt } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { State, Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import { moveTask, pendingInOrder, recordEvent } from '../tasks/queue.js';
import type { Workspace } from '../workspace/workspace.js';
import type { DaemonConsole } from './console.js';
import { requeue } from './ownership.js';
import type { FixResult, FixStage, TaskObserver } from './seams.js';
import { countInState, type SessionStats } from './stats.js';

export interface TaskLoopDeps {
  store: StateStore;
  /** Where tasks are checked and fixed. */
  workspace: Workspace;
  clock: Clock;
  logger: Logger;
  console: DaemonConsole;
  stats: SessionStats;
  fixer?: FixStage | undefined;
  observers?: TaskObserver[];
  /** How often an idle loop looks at the state file for tasks added by `fixloop add`. */
  pollMs?: number;
}

export class TaskLoop {
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private lastSeen = '';
  current: { task: Task; controller: AbortController; done: Promise<void> } | undefined;

  constructor(private readonly deps: TaskLoopDeps) {}

  /** Runs until `stop()`; never throws (a task that throws is failed and the loop goes on). */
  async run(): Promise<void> {
    while (!this.stopping) {
      let task: Task | undefined;
      try {
        task = await this.take();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'could not take a task');
      }
      if (!task) {
        await this.idle();
        continue;
      }
      const controller = new AbortController();
      const done = this.process(task, controller.signal).catch((error) =>
        this.crashed(task, error),
      );
      this.current = { task, controller, done };
      await done;
      this.current = undefined;
    }
  }

  /** Wakes an idle loop at once (the watcher just queued something). */
  wake(): void {
    this.lastSeen = '';
    this.wakeUp?.();
  }

  /** Stops taking tasks; the current one goes on until it ends or is aborted. */
  stop(): void {
    this.stopping = true;
    this.wakeUp?.();
  }

  private async idle(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.deps.pollMs ?? 500);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
  }

  /**
   * Moves the next pending task to in_progress; reads without the lock first so an idle loop never
   * writes.
   */
  private async take(): Promise<Task | undefined> {
    const seen = await stat(this.deps.store.file).then(
      (s) => `${s.mtimeMs}:${s.size}`,
      () => 'missing',
    );
    if (seen === this.lastSeen) return undefined;
    this.lastSeen = seen;
    if ((await this.deps.store.read()).queues.pending.length === 0) return undefined;
    const now = isoAt(this.deps.clock);
    return this.deps.store.update((state) => {
      const next = pendingInOrder(state)[0];
      if (!next) return undefined;
      recordEvent(state, now, 'task_started', { task_id: next.id });
      return moveTask(state, next.id, 'in_progress', now, { step: 'checking', started_at: now });
    });
  }

  private async process(task: Task, signal: AbortSignal): Promise<void> {
    const { console: out } = this.deps;
    const what = task.file_path ? ` for ${task.file_path}` : ` (${task.description})`;
    out.line('Orchestrator', `Processing task ${task.id}${what}`);
    const target = targetFor(task, this.deps.workspace.root);
    if ('skip' in target) return this.finish(task, 'skipped', { error: target.skip }, undefined);

    const label = target.scope === 'suite' ? 'the whole suite' : target.files.join(', ');
    const stopProgress = out.progress(`Running tests for ${label}`);
    let verdict: Verdict;
    try {
      verdict = await this.deps.workspace.checker.check(target, signal);
    } finally {
      stopProgress();
    }
    if (signal.aborted) return this.putBack(task, 'stopped while checking');
    await this.deps.store.update((state) =>
      state.test_results.push(testRecord(task, verdict, this.nowIso())),
    );

    if (verdict.passed) {
      const how = verdict.status === 'no_tests' ? 'has no related tests' : 'is clean';
      out.line('Orchestrator', `${out.style.green('✓')} ${task.id} ${how}: ${verdict.summary}`);
      return this.finish(
        task,
        verdict.status === 'no_tests' ? 'skipped' : 'clean',
        verdict.status === 'no_tests' ? { error: 'no related tests' } : {},
        verdict,
      );
    }
    out.line(
      'Orchestrator',
      `${out.style.red('✗')} ${task.id} tests failed: ${failureReason(verdict)}`,
    );
    const fixer = this.deps.fixer;
    if (!fixer || fixer.unavailableReason) {
      return this.finish(
        task,
        'failed',
        { error: failureReason(verdict), verdict_summary: verdict.summary },
        verdict,
      );
    }
    const step = (name: string) => void this.setStep(task.id, name);
    const result = await fixer.fix(task, verdict, { workspace: this.deps.workspace, signal, step });
    return this.applyFix(task, result);
  }

  private async applyFix(task: Task, result: FixResult): Promise<void> {
    const patch = result.patch ?? {};
    if (result.kind === 'fixed') return this.finish(task, 'fixed', patch, result.verdict);
    if (result.kind === 'failed')
      return this.finish(task, 'failed', { ...patch, error: result.error }, result.verdict);
    if (result.kind === 'requeue') return this.putBack(task, result.reason, patch);
    const waiting = await this.deps.store.update((state) => {
      recordEvent(state, this.nowIso(), 'task_needs_input', {
        task_id: task.id,
        question: result.question,
      });
      return moveTask(state, task.id, 'needs_input', this.nowIso(), {
        ...patch,
        question: result.question,
        step: undefined,
      });
    });
    this.notify((o) => o.taskNeedsInput?.(waiting));
    this.deps.console.line(
      'Orchestrator',
      `? ${task.id} needs your input: ${result.question}\n` +
        `  answer with: fixloop respond ${task.id} "<answer>"`,
    );
  }

  private async finish(
    task: Task,
    outcome: 'clean' | 'fixed' | 'failed' | 'skipped',
    patch: Record<string, unknown>,
    verdict: Verdict | undefined,
  ): Promise<void> {
    const queue = outcome === 'failed' ? 'failed' : 'completed';
    const finished = await this.deps.store.update((state: State) => {
      recordEvent(state, this.nowIso(), 'task_finished', { task_id: task.id, outcome });
      countInState(state, outcome);
      return moveTask(state, task.id, queue, this.nowIso(), { ...patch, outcome, step: undefined });
    });
    const s = this.deps.stats;
    s.processed++;
    if (outcome === 'failed') s.failed++;
    else s.succeeded++;
    this.notify((o) => o.taskFinished(finished, verdict));
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

  private async putBack(
    task: Task,
    reason: string,
    patch: Record<string, unknown> = {},
  ): Promise<void> {
    this.deps.logger.info({ task: task.id, reason }, 'task back to pending');
    await this.deps.store.update((state) =>
      requeue(
        state,
        task.id,
        this.nowIso(),
        { ...patch, last_interruption: reason },
        'task_requeued',
      ),
    );
  }

  private async crashed(task: Task, error: unknown): Promise<void> {
    this.deps.logger.error({ err: error, task: task.id }, 'task crashed');
    this.deps.console.line(
      'Orchestrator',
      `${this.deps.console.style.red('✗')} ${task.id} crashed: ${(error as Error).message}`,
    );
    try {
      await this.finish(
        task,
        'failed',
        { error: `internal error: ${(error as Error).message}` },
        undefined,
      );
    } catch (again) {
      this.deps.logger.error(
        { err: again, task: task.id },
        'could not record the crashed task; ' +
          'it stays in_progress and is recovered at the next start',
      );
    }
  }

  private async setStep(id: string, step: string): Promise<void> {
    await this.deps.store
      .update((state) => {
        const t = state.queues.in_progress.find((x) => x.id === id);
        if (t) t.step = step;
      })
      .catch((error) => this.deps.logger.warn({ err: error }, 'could not record the step'));
  }

  private nowIso(): string {
    return isoAt(this.deps.clock);
  }
}
