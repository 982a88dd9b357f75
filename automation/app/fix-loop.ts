/** Assembles the fix loop for a configuration: client, planner, provider, sandbox, breakers, AutoFixer. */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Verdict } from '../check/verdict.js';
import { createAnthropicClient, describeApiError, type AnthropicClient } from '../claude/client.js';
import { Planner } from '../claude/planner.js';
import { UsageMeter } from '../claude/usage.js';
import type { Config } from '../config/config.js';
import type { HealthProbe } from '../daemon/health.js';
import type { CoreDeps } from '../daemon/seams.js';
import { testRecord } from '../daemon/task-loop.js';
import type { Task } from '../store/schema.js';
import type { SelfWrites } from '../watch/self-writes.js';
import { fallbackPlan } from '../claude/plan.js';
import { ApiFixer, MAX_TURNS_PER_ATTEMPT } from '../fix/providers/api/api-fixer.js';
import { ClaudeCodeFixer } from '../fix/providers/claude-code/fixer.js';
import type { HeadlessProvider } from '../fix/providers/provider.js';
import type { PlanSource } from '../fix/auto-fixer.js';
import { AutoFixer } from '../fix/auto-fixer.js';
import { Breakers, markBreaker } from '../fix/breakers.js';
import { Sandbox } from '../fix/safety/sandbox.js';

/** Without an API key (claude-code with a login) there is no planner: the basic strategy is used. */
const noApiPlanner: PlanSource = {
  plan: async (task) => ({ plan: fallbackPlan(task.file_path, 'no ANTHROPIC_API_KEY for the planner'), fallback: true, error: 'no ANTHROPIC_API_KEY for the planner' }),
  noteOutcome: () => {},
};

/** The CLI's environment: the test environment plus its credentials and base URL, and no background traffic. */
export function claudeCodeEnv(config: Config): Record<string, string> {
  const env: Record<string, string> = { ...config.childEnv, DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };
  delete env.CI;
  if (config.anthropic.apiKey) env.ANTHROPIC_API_KEY = config.anthropic.apiKey;
  if (config.anthropic.baseUrl) env.ANTHROPIC_BASE_URL = config.anthropic.baseUrl;
  if (config.headless.oauthToken) env.CLAUDE_CODE_OAUTH_TOKEN = config.headless.oauthToken;
  return env;
}

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

export interface FixLoopDeps extends CoreDeps {
  selfWrites: SelfWrites;
  /** For tests: a client other than the configured one. */
  client?: AnthropicClient;
  /** For tests: a headless provider other than the configured one. */
  provider?: HeadlessProvider;
}

/** The AutoFixer and a Claude reachability probe, or undefined when the configuration allows no fixing. */
export function buildFixLoop(d: FixLoopDeps): { fixer: AutoFixer; probe: HealthProbe } | undefined {
  const { config } = d;
  const client = d.client ?? createAnthropicClient(config);
  const codeProvider = config.headless.provider === 'claude-code';
  if (!config.fix.enabled || (!client && !(codeProvider && config.headless.claudeCodeAuth))) return undefined;
  const usage = new UsageMeter(d.clock, config.fix.maxCostUsdPerHour);
  const planner: PlanSource = client
    ? new Planner({ client, model: config.anthropic.plannerModel, root: config.projectRoot, projectSummary: projectSummary(config.projectRoot, d.checker.runnerName), secrets: config.secrets, logger: d.logger, usage })
    : noApiPlanner;
  const provider: HeadlessProvider = d.provider ?? (codeProvider
    ? new ClaudeCodeFixer({
        cliPath: config.headless.cliPath,
        model: config.anthropic.fixerModel,
        env: claudeCodeEnv(config),
        usage,
        secrets: config.secrets,
        maxTurns: MAX_TURNS_PER_ATTEMPT,
        maxBudgetUsd: () => Math.max(0.01, Math.min(1, config.fix.maxCostUsdPerHour - usage.lastHour())),
        root: config.projectRoot,
      })
    : new ApiFixer({ client: client!, model: config.anthropic.fixerModel, usage, secrets: config.secrets }));
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
      if (!client) return null; // claude-code with a login: nothing to probe without spending
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
