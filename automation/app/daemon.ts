import { type Clock, systemClock } from '../clock.js';
import type { Config } from '../config/config.js';
import { Orchestrator } from '../daemon/orchestrator.js';
import { pidAlive } from '../daemon/ownership.js';
import type { Service, TaskObserver } from '../daemon/seams.js';
import { processScratch, sweepScratch } from '../fs/scratch.js';
import { createFileLogger } from '../log/file-logger.js';
import type { Logger } from '../log/logger.js';
import { DaemonConsole } from '../output/console.js';
import { lastingQueue } from '../queue/open.js';
import { bounded } from '../queue/redis.js';
import { sharedLedger } from '../queue/spend-ledger.js';
import { Metrics } from '../serve/metrics.js';
import { StatusServer } from '../serve/server.js';
import type { State } from '../store/schema.js';
import { StateStore } from '../store/store.js';
import { TranscriptWriter } from '../transcript/writer.js';
import { gitignoreReader } from '../watch/gitignore.js';
import { SelfWrites } from '../watch/self-writes.js';
import { ProjectWatcher } from '../watch/watcher.js';
import { QuietPeriod } from '../workspace/quiet-period.js';
import { ownPaths, workingTree } from '../workspace/working-tree.js';
import { workingTreeChecker } from './checker.js';
import { buildEscalator } from './escalator.js';
import { buildFixLoop, observeOnlyReason } from './fix-loop.js';
import { buildGitHubIntake } from './intake.js';
import { isolation, isolationLine } from './sandbox.js';
import { buildWorkLane } from './work.js';

export interface DaemonIO {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  color: boolean;
  /** A console to share (the demo prints through the same one). */
  console?: DaemonConsole;
}

/**
 * The status server as a service the orchestrator starts after the watcher and stops at shutdown.
 */
function statusService(server: StatusServer): Service {
  return {
    name: 'status',
    start: async () => {
      await server.start();
      const routes = '(/health, /queue, /tasks/:id, /metrics)';
      const line = `Status server and dashboard: ${server.url} ${routes}`;
      return { line, url: server.url };
    },
    stop: () => server.stop(),
  };
}

/**
 * This process's temp folder as a service: at start it sweeps what killed fixloop processes left
 * in the temp dir; at stop it removes its own.
 */
function scratchService(logger: Logger): Service {
  return {
    name: 'scratch',
    start: async () => {
      const removed = await sweepScratch(pidAlive);
      if (removed.length) logger.info({ removed }, 'removed temp files of killed processes');
      return { line: '' };
    },
    stop: async () => processScratch.remove(),
    // A check still running writes its report there.
    stopsLast: true,
  };
}

/** The tasks' transcripts: the oldest beyond the bound removed at start, the last lines at stop. */
function transcriptService(transcripts: TranscriptWriter): Service {
  return {
    name: 'transcripts',
    start: async () => {
      await transcripts.prune().catch(() => 0);
      return { line: '' };
    },
    stop: () => transcripts.flush(),
    // Orders stopped by the shutdown write their last lines while the lanes drain.
    stopsLast: true,
  };
}

/**
 * The shared queue (QUEUE_URL) as a service: its connection retried with backoff (said once per
 * outage), closed at stop; undefined when embedded.
 */
function sharedQueueService(config: Config, deps: { console: DaemonConsole; clock: Clock }) {
  let down = false;
  const queue = lastingQueue(config, () => {
    if (down) return;
    down = true;
    deps.console.line('Queue', 'Redis is unreachable; retrying with backoff (orders wait here)');
  });
  if (!queue) return undefined;
  const service: Service = {
    name: 'queue',
    start: async () => {
      const q = await queue.get();
      return { line: `Work orders go to the shared queue at ${q.label}` };
    },
    stop: () => queue.close(),
  };
  return {
    service,
    get: queue.get,
    view: async (state: State) => {
      const q = await queue.get();
      down = false;
      // Redis away: the dashboard shows this daemon's own state rather than wait.
      return bounded(q.view(state, deps.clock.now()), 2000, () => state);
    },
  };
}

/** Builds a daemon for `config` (the watch command, tests and the demo use it). */
export function buildDaemon(config: Config, io: DaemonIO) {
  const clock = systemClock;
  const out = io.console ?? new DaemonConsole(io.stdout, io.color, config.secrets);
  const logger = createFileLogger(config.logDir, {
    component: 'daemon',
    secrets: config.secrets,
    onChange: (change) =>
      out.line(
        'Log',
        change.paused
          ? out.style.yellow(`Logging paused: the log cannot be written (${change.reason}); `) +
              'fixloop goes on and tries again every few seconds'
          : `Logging resumed (${change.dropped} line(s) could not be written meanwhile)`,
      ),
  });
  const store = new StateStore({
    file: config.stateFile,
    lockFile: config.lockFile,
    secrets: config.secrets,
    clock,
    logger,
    onWarning: (m) => out.line('State', out.style.yellow(m)),
  });
  // Code the model writes runs sandboxed; SANDBOX=required without one stops here (exit 2).
  const iso = isolation(config);
  const checker = workingTreeChecker(config, {
    store,
    clock,
    logger,
    say: (message) => out.line('Checker', out.style.yellow(message)),
    sandbox: iso.tests,
  });
  const selfWrites = new SelfWrites(config.projectRoot, clock);
  // Saves the watcher reports (never our own writes) start the quiet period fixes wait for.
  const quiet = new QuietPeriod(config.fix.quietMs, clock);
  const workspace = workingTree(config, { checker, selfWrites, quiet });
  const transcripts = new TranscriptWriter({
    logDir: config.logDir,
    secrets: config.secrets,
    clock,
    onError: (task, err) => logger.warn({ err, task }, 'transcript lines not written'),
  });
  const core = { config, store, clock, logger, console: out, transcript: transcripts.note };
  const reason = observeOnlyReason(config);
  const fixLoop = reason
    ? undefined
    : buildFixLoop({
        ...core,
        runnerName: checker.runnerName,
        ledger: sharedLedger(config),
        sandbox: iso.agent,
      });
  const escalator = buildEscalator(config, {
    ...core,
    onEscalated: () => orchestrator.stats.escalated++,
  });
  const observers: TaskObserver[] = [escalator];
  const services: Service[] = [scratchService(logger), transcriptService(transcripts)];
  services.push({
    name: 'sandbox',
    start: async () => ({ line: isolationLine(iso, config) }),
    stop: async () => {},
  });
  // The shared queue's spend ledger keeps a connection of its own: closed with the daemon.
  if (fixLoop && config.queue.url)
    services.push({
      name: 'cost ledger',
      start: async () => ({ line: '' }),
      stop: () => fixLoop.usage.close(),
    });
  const shared = sharedQueueService(config, core);
  if (shared) services.push(shared.service);
  // With a shared queue the workers carry the orders out: this daemon needs no model for them.
  const github = buildGitHubIntake(core, config.queue.url ? undefined : reason);
  if (github) {
    observers.push(github);
    services.push(github);
  }
  if (config.daemon.statusPort !== undefined) {
    const metrics = new Metrics();
    observers.push(metrics);
    services.push(
      statusService(
        new StatusServer({
          ...core,
          metrics,
          port: config.daemon.statusPort,
          ...(shared ? { view: shared.view } : {}),
        }),
      ),
    );
  }
  const orchestrator: Orchestrator = new Orchestrator({
    ...core,
    workspace,
    work: buildWorkLane({ ...core, isolation: iso }, fixLoop, checker.runnerName, shared?.get),
    observers,
    services,
    ...(fixLoop
      ? { fixer: fixLoop.fixer, extraProbes: [fixLoop.probe] }
      : { observeOnlyReason: reason ?? 'no fixer' }),
    createWatcher: (onBatch) =>
      new ProjectWatcher({
        projectRoot: config.projectRoot,
        ownDirs: ownPaths(config),
        ownFiles: [config.stateFile],
        extensions: config.watch.extensions,
        extraIgnore: config.watch.ignore,
        readGitignore: gitignoreReader(config.projectRoot),
        debounceMs: config.watch.debounceMs,
        selfWrites,
        logger,
        onBatch: (batch) => {
          quiet.saved();
          onBatch(batch);
        },
        onLimit: (message) => out.line('Watcher', out.style.red(message)),
        onRestart: (message) => out.line('Watcher', out.style.yellow(message)),
      }),
  });
  return { orchestrator, logger, store, selfWrites, escalator, workspace };
}
