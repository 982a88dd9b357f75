/**
 * The daemon: owns the state file, watches, runs the task loop, beats, checks its health, and stops
 * cleanly.
 */

import { isoAt } from '../clock.js';
import { recordEvent } from '../tasks/queue.js';
import type { FileEvent } from '../watch/batcher.js';
import { batchToTasks } from '../watch/to-tasks.js';
import type { ProjectWatcher } from '../watch/watcher.js';
import { DaemonRunningError } from './errors.js';
import { type HealthProbe, runHealthCheck } from './health.js';
import { claimOwnership, currentProcess, requeue } from './ownership.js';
import type { CoreDeps, FixStage, Service, TaskObserver } from './seams.js';
import { emptyStats, formatStats } from './stats.js';
import { TaskLoop } from './task-loop.js';

export interface OrchestratorDeps extends CoreDeps {
  /** Builds the watcher; `onBatch` receives flushed batches. */
  createWatcher: (onBatch: (batch: FileEvent[]) => void) => ProjectWatcher;
  /** The fix loop; absent or unavailable means observe-only. */
  fixer?: FixStage;
  /** Why there is no fixer (no key, AUTO_FIX_ENABLED=false), printed at start. */
  observeOnlyReason?: string;
  observers?: TaskObserver[];
  extraProbes?: HealthProbe[];
  services?: Service[];
}

export class Orchestrator {
  readonly stats = emptyStats();
  private readonly me;
  private watcher: ProjectWatcher | undefined;
  private loop: TaskLoop;
  private loopDone: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private batchWrites = new Set<Promise<unknown>>();
  private startedAt = 0;
  private stopping: Promise<void> | undefined;
  private forced = false;
  private heartbeatFailures = 0;
  private healthFailuresInARow = 0;
  /** Resolves with the exit code once the daemon has stopped. */
  readonly finished: Promise<number>;
  private resolveFinished!: (code: number) => void;

  constructor(private readonly deps: OrchestratorDeps) {
    this.me = currentProcess(deps.config.projectRoot, deps.config.daemon.heartbeatMs);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.loop = new TaskLoop({
      store: deps.store,
      workspace: deps.workspace,
      clock: deps.clock,
      logger: deps.logger,
      console: deps.console,
      stats: this.stats,
      fixer: deps.fixer,
      observers: deps.observers ?? [],
    });
  }

  /**
   * Claims the state file (DaemonRunningError if another live daemon has it), starts everything.
   */
  async start(): Promise<void> {
    const { config, store, console: out } = this.deps;
    this.startedAt = this.deps.clock.now();
    const claim = await store.update((state) =>
      claimOwnership(state, this.me, this.deps.clock.now(), config.stateFile),
    );
    if (claim.tookOverFrom !== null)
      out.line(
        'Orchestrator',
        `Took over from a previous daemon (pid ${claim.tookOverFrom}) that is no longer alive`,
      );
    for (const id of claim.recovered)
      out.line('Orchestrator', `Recovered interrupted task ${id}; it will run again`);

    await this.deps.fixer?.init?.(this.deps.workspace);
    out.line('Orchestrator', `Watching ${config.projectRoot}`);
    this.watcher = this.deps.createWatcher((batch) => this.onBatch(batch));
    await this.watcher.start();
    const runner = this.deps.workspace.checker.runnerName;
    out.line(
      'Orchestrator',
      runner
        ? `Test runner: ${runner}`
        : out.style.yellow(
            'No test runner detected; set TEST_COMMAND. Changes are recorded but not tested.',
          ),
    );
    const fixOff = this.deps.fixer
      ? this.deps.fixer.unavailableReason
      : (this.deps.observeOnlyReason ?? 'no fixer configured');
    out.line(
      'Orchestrator',
      fixOff
        ? `Auto-fix: off (${fixOff}); observe-only: failures are recorded, nothing is edited`
        : 'Auto-fix: enabled',
    );

    const urls: Record<string, string> = {};
    for (const service of this.deps.services ?? []) {
      const started = await service.start();
      out.line('Orchestrator', started.line);
      if (started.url) urls[`${service.name}_url`] = started.url;
    }
    await store.update((state) => {
      const p = state.processes.orchestrator;
      if (p) Object.assign(p, urls, { status: 'running' });
      recordEvent(state, this.nowIso(), 'daemon_started', { pid: this.me.pid });
    });
    this.timers.push(setInterval(() => void this.heartbeat(), config.daemon.heartbeatMs));
    this.timers.push(setInterval(() => void this.healthCheck(), config.daemon.healthCheckMs));
    void this.healthCheck();
    this.loopDone = this.loop.run();
    out.line(
      'Orchestrator',
      `${out.style.green('✓')} Running (pid ${this.me.pid}); stop with Ctrl+C`,
    );
    this.deps.logger.info({ pid: this.me.pid, root: config.projectRoot, runner }, 'daemon started');
  }

  /**
   * Graceful stop: no new events, unflushed changes become tasks, the current task gets
   * SHUTDOWN_TIMEOUT_SECONDS to finish (then it is aborted and goes back to pending), status
   * becomes `stopped`. A second call (second signal) aborts the current task at once.
   */
  stop(reason: string, exitCode = 0): Promise<void> {
    if (this.stopping) {
      if (!this.forced) {
        this.forced = true;
        this.deps.console.line('Orchestrator', 'Second signal: stopping now');
        this.loop.current?.controller.abort();
      }
      return this.stopping;
    }
    this.stopping = this.shutdown(reason, exitCode);
    return this.stopping;
  }

  private async shutdown(reason: string, exitCode: number): Promise<void> {
    const { config, store, console: out } = this.deps;
    out.line('Orchestrator', `${reason}, initiating shutdown...`);
    this.loop.stop();
    await store
      .update((state) => {
        const p = state.processes.orchestrator;
        if (p && p.pid === this.me.pid) p.status = 'stopping';
      })
      .catch(() => {});
    out.line('Orchestrator', 'Stopping FileWatcher...');
    await this.watcher?.stop();
    await Promise.allSettled((this.deps.services ?? []).map((sv) => sv.stop()));
    await Promise.allSettled(this.batchWrites);

    const current = this.loop.current;
    if (current && !this.forced) {
      out.line(
        'Orchestrator',
        `Waiting up to ${config.daemon.shutdownTimeoutMs / 1000} s ` +
          `for ${current.task.id} to finish...`,
      );
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), config.daemon.shutdownTimeoutMs).unref(),
      );
      if ((await Promise.race([current.done.then(() => 'done' as const), timeout])) === 'timeout') {
        out.line(
          'Orchestrator',
          `${current.task.id} did not finish in time; aborting it (it goes back to pending)`,
        );
        current.controller.abort();
      }
    } else if (current) {
      current.controller.abort();
    }
    await this.loopDone;
    for (const t of this.timers) clearInterval(t);
    this.deps.fixer?.close?.();
    // Escalations still being delivered get a few seconds; they never hold the stop for long.
    await Promise.all((this.deps.observers ?? []).map((o) => o.drain?.(this.forced ? 500 : 5000)));

    await store
      .update((state) => {
        const p = state.processes.orchestrator;
        // A task still marked in_progress by us (abort raced the write) goes back to pending.
        for (const t of [...state.queues.in_progress])
          requeue(state, t.id, this.nowIso(), {}, 'task_requeued');
        if (p && p.pid === this.me.pid) {
          p.status = 'stopped';
          p.last_heartbeat = this.nowIso();
          p.stopped_at = this.nowIso();
        }
        recordEvent(state, this.nowIso(), 'daemon_stopped', {
          pid: this.me.pid,
          reason,
          session: { ...this.stats },
        });
      })
      .catch((error) => this.deps.logger.error({ err: error }, 'could not record the stop'));
    out.raw(formatStats(this.stats, this.deps.clock.now() - this.startedAt));
    out.line('Orchestrator', `${out.style.green('✓')} Shutdown complete`);
    this.deps.logger.info({ reason, stats: this.stats }, 'daemon stopped');
    this.resolveFinished(exitCode);
  }

  private onBatch(batch: FileEvent[]): void {
    const write = this.deps.store
      .update((state) =>
        batchToTasks(state, batch, this.deps.config.watch.maxBatchSize, this.nowIso()),
      )
      .then((made) => {
        for (const { task, created } of made) {
          const what =
            task.type === 'bulk_change' ? `${task.file_count} files (bulk change)` : task.file_path;
          this.deps.console.line(
            'Orchestrator',
            created
              ? `Created task ${task.id} for ${what}`
              : `Updated pending task ${task.id} for ${what}`,
          );
        }
        this.loop.wake();
      })
      .catch((error) => {
        this.deps.logger.error(
          { err: error, files: batch.map((e) => e.path) },
          'could not queue a batch',
        );
        this.deps.console.line(
          'Orchestrator',
          this.deps.console.style.red(
            `Could not queue ${batch.length} change(s): ${(error as Error).message}`,
          ),
        );
      });
    this.batchWrites.add(write);
    void write.finally(() => this.batchWrites.delete(write));
  }

  private async heartbeat(): Promise<void> {
    try {
      const owner = await this.deps.store.update((state) => {
        const p = state.processes.orchestrator;
        if (!p || p.pid !== this.me.pid || p.host !== this.me.host)
          return p ? { pid: p.pid, host: p.host } : null;
        p.last_heartbeat = this.nowIso();
        return undefined;
      });
      this.heartbeatFailures = 0;
      if (owner !== undefined && !this.stopping) {
        this.deps.console.line(
          'Orchestrator',
          this.deps.console.style.red('Another daemon took over this state file; stopping.'),
        );
        const err = owner
          ? new DaemonRunningError(owner.pid, owner.host, this.deps.config.stateFile)
          : undefined;
        this.deps.logger.error({ err }, 'ownership lost');
        void this.stop('Ownership lost', 3);
      }
    } catch (error) {
      // Disk full, lock trouble: recorded and survived; the next beat tries again.
      if (this.heartbeatFailures++ === 0)
        this.deps.console.line(
          'Orchestrator',
          this.deps.console.style.yellow(
            `Heartbeat could not be written: ${(error as Error).message}`,
          ),
        );
      this.deps.logger.error({ err: error }, 'heartbeat failed');
    }
  }

  private async healthCheck(): Promise<void> {
    const probes: HealthProbe[] = [
      {
        name: 'watcher',
        check: async () => (this.watcher?.alive ? null : 'the file watcher is not running'),
      },
      {
        name: 'test_runner',
        check: async () =>
          this.deps.workspace.checker.runnerName
            ? null
            : 'no test runner detected; set TEST_COMMAND',
      },
      ...(this.deps.extraProbes ?? []),
    ];
    const report = await runHealthCheck(probes, () => this.nowIso());
    // Recording the report is itself the "state writable" check.
    report.checks.state = { ok: true, detail: null };
    await this.deps.store
      .update((state) => {
        const p = state.processes.orchestrator;
        if (p && p.pid === this.me.pid) p.last_health_check = { ...report };
      })
      .catch((error) => {
        report.checks.state = {
          ok: false,
          detail: `state not writable: ${(error as Error).message}`,
        };
        report.healthy = false;
      });
    const bad = Object.entries(report.checks).filter(([, c]) => !c.ok);
    this.healthFailuresInARow = bad.length ? this.healthFailuresInARow + 1 : 0;
    if (bad.length)
      for (const o of this.deps.observers ?? [])
        o.healthFailed?.(report, this.healthFailuresInARow);
    this.deps.logger[bad.length ? 'warn' : 'info']({ health: report }, 'health check');
    if (bad.length)
      this.deps.console.line(
        'Orchestrator',
        this.deps.console.style.yellow(
          `Health check: ${bad.map(([n, c]) => `${n}: ${c.detail}`).join('; ')}`,
        ),
      );
  }

  private nowIso(): string {
    return isoAt(this.deps.clock);
  }
}
