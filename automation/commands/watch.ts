/** `fixloop watch` (the default command): builds the daemon from the configuration and runs it until a signal. */
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { Checker } from '../check/checker.js';
import { detectRunner } from '../check/detect.js';
import { nodeProcessRunner } from '../check/process-runner.js';
import { systemClock } from '../clock.js';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/load.js';
import { DaemonConsole } from '../daemon/console.js';
import { Orchestrator } from '../daemon/orchestrator.js';
import { buildEscalator } from '../app/escalator.js';
import type { Service, TaskObserver } from '../daemon/seams.js';
import { Metrics } from '../serve/metrics.js';
import { StatusServer } from '../serve/server.js';
import { buildFixLoop } from '../app/fix-loop.js';
import { createFileLogger } from '../log/file-logger.js';
import { wantsColor } from '../output/style.js';
import { StateStore } from '../store/store.js';
import { gitignoreReader } from '../watch/gitignore.js';
import { SelfWrites } from '../watch/self-writes.js';
import { ProjectWatcher } from '../watch/watcher.js';
import type { CliHelpers } from './program.js';

/** Why the daemon runs observe-only, or undefined when fixing is possible. */
export function observeOnlyReason(config: Config): string | undefined {
  if (!config.fix.enabled) return 'AUTO_FIX_ENABLED=false';
  if (config.headless.provider === 'claude-code') {
    return config.headless.claudeCodeAuth ? undefined : 'no ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or Claude Code login for the claude-code provider';
  }
  if (!config.anthropic.apiKey) return 'no ANTHROPIC_API_KEY';
  return undefined;
}

/** Builds a daemon for `config` (also used by tests and the demo). */
export function buildDaemon(config: Config, io: { stdout: { write(s: string): unknown; isTTY?: boolean }; color: boolean; console?: DaemonConsole }) {
  const clock = systemClock;
  const logger = createFileLogger(config.logDir, { sync: false, component: 'daemon', secrets: config.secrets });
  const out = io.console ?? new DaemonConsole(io.stdout, io.color);
  const store = new StateStore({ file: config.stateFile, lockFile: config.lockFile, clock, logger, onWarning: (m) => out.line('State', out.style.yellow(m)) });
  const detection = detectRunner(config.projectRoot, config.test.command);
  const checker = new Checker({ root: config.projectRoot, detection, processRunner: nodeProcessRunner, timeoutMs: config.test.timeoutMs, env: config.childEnv });
  const selfWrites = new SelfWrites(config.projectRoot, clock);
  const reason = observeOnlyReason(config);
  const fixLoop = reason ? undefined : buildFixLoop({ config, store, clock, logger, console: out, checker, selfWrites });
  const escalator = buildEscalator(config, { store, clock, logger, console: out, onEscalated: () => orchestrator.stats.escalated++ });
  const observers: TaskObserver[] = [escalator];
  const services: Service[] = [];
  if (config.daemon.statusPort !== undefined) {
    const metrics = new Metrics();
    const server = new StatusServer({ config, store, clock, logger, metrics, port: config.daemon.statusPort });
    observers.push(metrics);
    services.push({
      name: 'status',
      start: async () => {
        await server.start();
        return { line: `Status server and dashboard: ${server.url} (/health, /queue, /tasks/:id, /metrics)`, url: server.url };
      },
      stop: () => server.stop(),
    });
  }
  const orchestrator: Orchestrator = new Orchestrator({
    config, store, clock, logger, console: out, checker, observers, services,
    ...(fixLoop ? { fixer: fixLoop.fixer, extraProbes: [fixLoop.probe] } : { observeOnlyReason: reason ?? 'no fixer' }),
    createWatcher: (onBatch) =>
      new ProjectWatcher({
        projectRoot: config.projectRoot,
        ownDirs: [dirname(config.stateFile), config.logDir, config.lockFile],
        ownFiles: [config.stateFile],
        extensions: config.watch.extensions,
        extraIgnore: config.watch.ignore,
        readGitignore: gitignoreReader(config.projectRoot),
        debounceMs: config.watch.debounceMs,
        selfWrites,
        logger,
        onBatch,
        onLimit: (message) => out.line('Watcher', out.style.red(message)),
      }),
  });
  return { orchestrator, logger, store, selfWrites, escalator };
}

/** Registers `watch`; runCli makes it the default when no command is given. */
export function registerWatch(program: Command, helpers: CliHelpers): void {
  program
    .command('watch')
    .description('run the daemon in the foreground on PROJECT_ROOT (the default command); Ctrl+C stops it cleanly')
    .action(async () => {
      const config = loadConfig({ cwd: helpers.io.cwd, env: helpers.io.env });
      const { orchestrator, logger } = buildDaemon(config, { stdout: helpers.io.stdout, color: wantsColor(helpers.io.stdout, helpers.io.env) });
      const onSignal = (signal: NodeJS.Signals) => void orchestrator.stop(`Received ${signal}`);
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        await orchestrator.start();
        helpers.setExitCode(await orchestrator.finished);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        logger.flush();
      }
    });
}

/** Registers `demo`. */
export function registerDemo(program: Command, helpers: CliHelpers): void {
  program
    .command('demo')
    .description('offline showcase: a sample project, a recorded demo model (not Claude), a fix, a failure, a breaker and an escalation')
    .option('--keep', 'keep the sample project, state file and log afterwards')
    .action(async (opts: { keep?: boolean }) => {
      const { runDemo } = await import('../demo/run.js');
      helpers.setExitCode(await runDemo({ stdout: helpers.io.stdout, color: wantsColor(helpers.io.stdout, helpers.io.env), keep: !!opts.keep, env: helpers.io.env }));
    });
}
