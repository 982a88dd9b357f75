/**
 * The daemon: owns the state file, watches, runs the task loop, beats, checks its health, and stops
 * cleanly.
 */
import { isoAt } from '../clock.js';
import { Lanes, type WorkLane, type WorkLaneFactory } from '../lanes/lanes.js';
import { recordEvent } from '../tasks/queue.js';
import type { FileEvent } from '../watch/batcher.js';
import type { ProjectWatcher } from '../watch/watcher.js';
import { announceFixing, announceRunner } from './announce.js';
import { ChecksInFlight } from './check-in-flight.js';
import { checkTask } from './check-task.js';
import type { DaemonRunningError } from './errors.js';
import { DaemonStartError } from './errors.js';
import type { HealthProbe } from './health.js';
import { TaskOutcomes } from './outcomes.js';
import { claimOwnership, currentProcess, registerProcess, releaseOwnership } from './ownership.js';
import { SaveIntake } from './save-intake.js';
import type { CoreDeps, FixStage, Service, TaskObserver } from './seams.js';
import { emptyStats, formatStats } from './stats.js';
import { runnerProbe, Vitals, watcherProbe } from './vitals.js';

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
  /** Builds the work-order lane (absent: work orders wait for a daemon that has one). */
  work?: WorkLaneFactory;
}

/** A promise's settling as whether it fulfilled. */
const started = [() => true, () => false] as const;

export class Orchestrator {
  readonly stats = emptyStats();
  private readonly me;
  private watcher: ProjectWatcher | undefined;
  private readonly lanes: Lanes;
  private readonly workLane: WorkLane | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly intake: SaveIntake;
  private readonly vitals: Vitals;
  private startedAt = 0;
  /** URLs of the services (the status server), recorded in this daemon's state entry. */
  private readonly urls: Record<string, string> = {};
  private stopping: Promise<void> | undefined;
  /** Start-up under way (or done): a stop waits for it, then stops what it started. */
  private starting: Promise<void> = Promise.resolve();
  private forced = false;
  /** Resolves with the exit code once the daemon has stopped. */
  readonly finished: Promise<number>;
  private resolveFinished!: (code: number) => void;

  constructor(private readonly deps: OrchestratorDeps) {
    this.me = currentProcess(deps.config.projectRoot, deps.config.daemon.heartbeatMs);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    const { store, clock, logger, console } = deps;
    const core = { store, clock, logger, console };
    const { observers = [], transcript } = deps;
    const outcomes = new TaskOutcomes({ ...core, stats: this.stats, observers, transcript });
    const inFlight = new ChecksInFlight(deps.workspace.root);
    const saves = { ...core, workspace: deps.workspace, outcomes, fixer: deps.fixer, inFlight };
    this.workLane = deps.work?.(outcomes);
    this.lanes = new Lanes(
      { ...core, crashed: (task, error) => outcomes.crashed(task, error) },
      (task, signal) => checkTask(saves, task, signal),
      this.workLane && { lane: this.workLane, me: this.me, count: deps.config.work.maxWorkers },
    );
    this.intake = new SaveIntake({
      ...core,
      maxBatchSize: deps.config.watch.maxBatchSize,
      reserve: () => this.lanes.saves.reserve(),
      onQueued: (paths) => {
        // A newer save of a file the check under way covers cancels that check.
        void inFlight.saved(paths).catch((error) => logger.warn({ err: error }, 'save not seen'));
        this.lanes.wake();
      },
    });
    this.vitals = new Vitals({
      ...core,
      me: this.me,
      stateFile: deps.config.stateFile,
      probes: () => [
        watcherProbe(() =>
          this.watcher ? this.watcher.problem : 'the file watcher is not running',
        ),
        runnerProbe(deps.workspace.checker.runnerName),
        ...(deps.extraProbes ?? []),
      ],
      observers: deps.observers ?? [],
      onOwnershipLost: (owner) => this.ownershipLost(owner),
      register: (state, now) => {
        const startedAt = new Date(this.startedAt).toISOString();
        registerProcess(state, this.me, { status: 'running', startedAt, now, extra: this.urls });
      },
    });
  }

  /**
   * Claims the state file (DaemonRunningError if another live daemon has it), starts everything.
   * A part that cannot start (a taken STATUS_PORT…) stops what did start, releases the state file
   * and throws DaemonStartError: no half-started daemon is left watching.
   */
  async start(): Promise<void> {
    const { config, store, console: out } = this.deps;
    this.startedAt = this.deps.clock.now();
    const claim = await store.update((state) =>
      claimOwnership(state, this.me, this.deps.clock.now(), config.stateFile),
    );
    if (claim.tookOverFrom !== null) {
      const pid = claim.tookOverFrom;
      out.line('Orchestrator', `Took over from a previous daemon (pid ${pid}), no longer alive`);
    }
    for (const id of claim.recovered)
      out.line('Orchestrator', `Recovered interrupted task ${id}; it will run again`);
    try {
      this.starting = this.bringUp();
      await this.starting;
    } catch (error) {
      this.deps.logger.error({ err: error }, 'start-up failed');
      await this.watcher?.stop().catch(() => {});
      await Promise.allSettled((this.deps.services ?? []).map((sv) => sv.stop()));
      this.deps.fixer?.close?.();
      await this.deps.workspace.checker.close?.();
      await store
        .update((state) => releaseOwnership(state, this.me, this.nowIso(), 'start-up failed', {}))
        .catch(() => {});
      this.resolveFinished(1);
      throw new DaemonStartError(error);
    }
  }

  private async bringUp(): Promise<void> {
    const { config, store, console: out } = this.deps;
    await this.deps.fixer?.init?.(this.deps.workspace);
    await this.workLane?.init?.();
    out.line('Orchestrator', `Watching ${config.projectRoot}`);
    this.watcher = this.deps.createWatcher((batch) => this.intake.add(batch));
    await this.watcher.start();
    const runner = this.deps.workspace.checker.runnerName;
    announceRunner(out, runner, this.deps.workspace.checker.warm);
    this.deps.workspace.checker.prepare?.();
    const fixer = this.deps.fixer;
    announceFixing(
      out,
      fixer ? fixer.unavailableReason : (this.deps.observeOnlyReason ?? 'no fixer'),
    );
    for (const service of this.deps.services ?? []) {
      const started = await service.start();
      if (started.line) out.line('Orchestrator', started.line);
      if (started.url) this.urls[`${service.name}_url`] = started.url;
    }
    await store.update((state) => {
      const p = state.processes.orchestrator;
      if (p) Object.assign(p, this.urls, { status: 'running' });
      recordEvent(state, this.nowIso(), 'daemon_started', { pid: this.me.pid });
    });
    this.timers.push(setInterval(() => void this.vitals.heartbeat(), config.daemon.heartbeatMs));
    this.timers.push(
      setInterval(() => void this.vitals.healthCheck(), config.daemon.healthCheckMs),
    );
    void this.vitals.healthCheck();
    await this.lanes.start(config.daemon.heartbeatMs);
    out.line(
      'Orchestrator',
      `${out.style.green('✓')} Running (pid ${this.me.pid}); stop with Ctrl+C`,
    );
    this.deps.logger.info({ root: config.projectRoot, runner }, 'daemon started');
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
        for (const c of this.lanes.current) c.controller.abort();
      }
      return this.stopping;
    }
    this.stopping = this.shutdown(reason, exitCode);
    return this.stopping;
  }

  private async shutdown(reason: string, exitCode: number): Promise<void> {
    const { config, store, console: out } = this.deps;
    out.line('Orchestrator', `${reason}, initiating shutdown...`);
    // Ctrl+C during start-up: what it still starts (timers, lanes) is stopped below; a start-up
    // that failed has released everything itself.
    if (!(await this.starting.then(...started))) return;
    this.lanes.stop();
    await store
      .update((state) => {
        const p = state.processes.orchestrator;
        if (p && p.pid === this.me.pid) p.status = 'stopping';
      })
      .catch(() => {});
    out.line('Orchestrator', 'Stopping FileWatcher...');
    await this.watcher?.stop();
    const services = this.deps.services ?? [];
    await Promise.allSettled(services.filter((sv) => !sv.stopsLast).map((sv) => sv.stop()));
    await this.intake.drain();

    await this.lanes.drain(this.forced ? 0 : config.daemon.shutdownTimeoutMs, (line) =>
      out.line('Orchestrator', line),
    );
    await this.lanes.finished();
    for (const t of this.timers) clearInterval(t);
    this.deps.fixer?.close?.();
    await this.deps.workspace.checker.close?.();
    await Promise.allSettled(services.filter((sv) => sv.stopsLast).map((sv) => sv.stop()));
    // Escalations still being delivered get a few seconds; they never hold the stop for long.
    await Promise.all((this.deps.observers ?? []).map((o) => o.drain?.(this.forced ? 500 : 5000)));

    const session = { ...this.stats };
    await store
      .update((state) => releaseOwnership(state, this.me, this.nowIso(), reason, session))
      .catch((error) => this.deps.logger.error({ err: error }, 'could not record the stop'));
    out.raw(formatStats(this.stats, this.deps.clock.now() - this.startedAt));
    out.line('Orchestrator', `${out.style.green('✓')} Shutdown complete`);
    this.deps.logger.info({ reason, stats: this.stats }, 'daemon stopped');
    this.resolveFinished(exitCode);
  }

  private ownershipLost(owner: DaemonRunningError): void {
    if (this.stopping) return;
    const out = this.deps.console;
    out.line('Orchestrator', out.style.red('Another daemon took over this state file; stopping.'));
    this.deps.logger.error({ err: owner }, 'ownership lost');
    void this.stop('Ownership lost', 3);
  }

  private nowIso(): string {
    return isoAt(this.deps.clock);
  }
}
