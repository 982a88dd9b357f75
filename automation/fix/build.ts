/** Assembles the fix loop for a configuration: client, planner, provider, sandbox, breakers, AutoFixer. */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Checker } from '../check/checker.js';
import type { Verdict } from '../check/verdict.js';
import { createAnthropicClient, describeApiError, type AnthropicClient } from '../claude/client.js';
import { Planner } from '../claude/planner.js';
import { UsageMeter } from '../claude/usage.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config.js';
import type { DaemonConsole } from '../daemon/console.js';
import type { HealthProbe } from '../daemon/health.js';
import { testRecord } from '../daemon/task-loop.js';
import type { Logger } from '../log/logger.js';
import type { Task } from '../store/schema.js';
import type { StateStore } from '../store/store.js';
import type { SelfWrites } from '../watch/self-writes.js';
import { ApiFixer } from './api-fixer.js';
import { AutoFixer } from './auto-fixer.js';
import { Breakers, markBreaker } from './breakers.js';
import { Sandbox } from './sandbox.js';

/** A short, stable description of the project for the planner's cached prefix. */
export function projectSummary(root: string, runner: string | undefined): string {
  let name = basename(root);
  try {
    name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string }).name ?? name;
  } catch {
    /* not a Node project */
  }
  return `Name: ${name}\nTest runner: ${runner ?? 'unknown'}\nPaths are relative to the project root.`;
}

export interface FixLoopDeps {
  config: Config;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  console: DaemonConsole;
  checker: Checker;
  selfWrites: SelfWrites;
  /** For tests: a client other than the configured one. */
  client?: AnthropicClient;
}

/** The AutoFixer and a Claude reachability probe, or undefined when the configuration allows no fixing. */
export function buildFixLoop(d: FixLoopDeps): { fixer: AutoFixer; probe: HealthProbe } | undefined {
  const { config } = d;
  const client = d.client ?? createAnthropicClient(config);
  if (!client || !config.fix.enabled || config.headless.provider !== 'api') return undefined;
  const usage = new UsageMeter(d.clock, config.fix.maxCostUsdPerHour);
  const planner = new Planner({ client, model: config.anthropic.plannerModel, root: config.projectRoot, projectSummary: projectSummary(config.projectRoot, d.checker.runnerName), secrets: config.secrets, logger: d.logger, usage });
  const provider = new ApiFixer({ client, model: config.anthropic.fixerModel, usage, secrets: config.secrets });
  const breakers = new Breakers({
    windowMs: config.breaker.windowMs,
    clock: d.clock,
    onTransition: (file, to) => {
      d.logger.info({ file, to }, 'circuit breaker transition');
      if (to !== 'closed') d.console.line('AutoFixer', `Circuit breaker for ${file}: ${to.replace('_', '-')}`);
      void d.store.update((s) => markBreaker(s, file, to, d.clock.now(), config.breaker.windowMs)).catch((e) => d.logger.error({ err: e }, 'breaker state not recorded'));
    },
  });
  const sandbox = new Sandbox({ root: config.projectRoot, ownPaths: [dirname(config.stateFile), config.logDir, config.lockFile], allowTestEdits: config.fix.allowTestEdits, protect: config.fix.protect });
  const fixer = new AutoFixer({
    ...d, planner, provider, usage, breakers, sandbox,
    onOwnWrite: (rel, data) => d.selfWrites.remember(rel, data),
    journalDir: join(dirname(config.stateFile), 'rollback'),
    recordTest: async (task: Task, verdict: Verdict) => {
      await d.store.update((s) => s.test_results.push(testRecord(task, verdict, new Date(d.clock.now()).toISOString())));
    },
  });
  const probe: HealthProbe = {
    name: 'claude',
    check: async () => {
      try {
        await client.models.list({ limit: 1 });
        return null;
      } catch (error) {
        return `the Anthropic API is not reachable: ${describeApiError(error)}`;
      }
    },
  };
  return { fixer, probe };
}
