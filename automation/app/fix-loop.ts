/** Builds the fix loop for a configuration: client, planner, provider, breakers, AutoFixer. */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { testRecord } from '../check/record.js';
import type { Verdict } from '../check/verdict.js';
import { type AnthropicClient, createAnthropicClient, describeApiError } from '../claude/client.js';
import { fallbackPlan } from '../claude/plan.js';
import { Planner, type PlanSource } from '../claude/planner.js';
import { type SpendLedger, UsageMeter } from '../claude/usage.js';
import { isoAt } from '../clock.js';
import type { Config } from '../config/config.js';
import type { HealthProbe } from '../daemon/health.js';
import type { CoreDeps } from '../daemon/seams.js';
import { AutoFixer } from '../fix/auto-fixer.js';
import { Breakers, markBreaker } from '../fix/breakers.js';
import { ApiFixer, MAX_TURNS_PER_ATTEMPT } from '../fix/providers/api/api-fixer.js';
import { ClaudeCodeFixer } from '../fix/providers/claude-code/fixer.js';
import type { HeadlessProvider } from '../fix/providers/provider.js';
import type { AgentSandbox } from '../sandbox/agent.js';
import type { Task } from '../store/schema.js';

/**
 * Without an API key (claude-code with a login) there is no planner: the basic strategy is used.
 */
const noApiPlanner: PlanSource = {
  plan: async ({ task }) => ({
    plan: fallbackPlan(task.file_path, 'no ANTHROPIC_API_KEY for the planner'),
    fallback: true,
    error: 'no ANTHROPIC_API_KEY for the planner',
  }),
  noteOutcome: () => {},
};

/** Why the daemon runs observe-only, or undefined when fixing is possible. */
export function observeOnlyReason(config: Config): string | undefined {
  if (!config.fix.enabled) return 'AUTO_FIX_ENABLED=false';
  if (config.headless.provider === 'claude-code') {
    return config.headless.claudeCodeAuth
      ? undefined
      : 'no ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN or Claude Code login ' +
          'for the claude-code provider';
  }
  if (!config.anthropic.apiKey) return 'no ANTHROPIC_API_KEY';
  return undefined;
}

/**
 * The CLI's environment: the test environment plus its credentials and base URL, and no background
 * traffic.
 */
export function claudeCodeEnv(config: Config): Record<string, string> {
  const env: Record<string, string> = {
    ...config.childEnv,
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
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
    name =
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string }).name ??
      name;
  } catch {
    /* not a Node project */
  }
  return (
    `Name: ${name}\nTest runner: ${runner ?? 'unknown'}\n` +
    'Paths are relative to the project root.'
  );
}

export interface FixLoopDeps extends Omit<CoreDeps, 'workspace'> {
  /** The test runner's name, for the planner's project summary. */
  runnerName: string | undefined;
  /** For tests: a client other than the configured one. */
  client?: AnthropicClient;
  /** For tests: a headless provider other than the configured one. */
  provider?: HeadlessProvider | undefined;
  /** The shared queue's spend ledger (QUEUE_URL): the hourly cap across every worker. */
  ledger?: (() => Promise<SpendLedger | undefined>) | undefined;
  /** Runs Claude Code sessions in the sandbox. */
  sandbox?: AgentSandbox | undefined;
}

function providerFor(
  config: Config,
  client: AnthropicClient | undefined,
  usage: UsageMeter,
  sandbox: AgentSandbox | undefined,
): HeadlessProvider {
  if (config.headless.provider !== 'claude-code') {
    if (!client) throw new Error('the api provider needs an Anthropic client');
    return new ApiFixer({
      client,
      model: config.anthropic.fixerModel,
      usage,
      secrets: config.secrets,
    });
  }
  return new ClaudeCodeFixer({
    sandbox,
    cliPath: config.headless.cliPath,
    model: config.anthropic.fixerModel,
    env: claudeCodeEnv(config),
    usage,
    secrets: config.secrets,
    maxTurns: MAX_TURNS_PER_ATTEMPT,
    maxBudgetUsd: () =>
      Math.max(0.01, Math.min(1, config.fix.maxCostUsdPerHour - usage.lastHour())),
  });
}

/** The fix loop and the parts work orders share with it (the client, the meter, the provider). */
export interface FixLoop {
  fixer: AutoFixer;
  probe: HealthProbe;
  client: AnthropicClient | undefined;
  usage: UsageMeter;
  provider: HeadlessProvider;
  recordTest: (task: Task, verdict: Verdict) => Promise<void>;
}

/**
 * The AutoFixer and a Claude reachability probe, or undefined when the configuration allows no
 * fixing.
 */
export function buildFixLoop(deps: FixLoopDeps): FixLoop | undefined {
  const { config, clock, logger, store } = deps;
  const client = deps.client ?? createAnthropicClient(config);
  const codeProvider = config.headless.provider === 'claude-code';
  if (!config.fix.enabled || (!client && !(codeProvider && config.headless.claudeCodeAuth)))
    return undefined;
  const usage = new UsageMeter(clock, config.fix.maxCostUsdPerHour, deps.ledger);
  const planner: PlanSource = client
    ? new Planner({
        client,
        model: config.anthropic.plannerModel,
        projectSummary: projectSummary(config.projectRoot, deps.runnerName),
        secrets: config.secrets,
        logger,
        usage,
      })
    : noApiPlanner;
  const provider = deps.provider ?? providerFor(config, client, usage, deps.sandbox);
  const breakers = new Breakers({
    windowMs: config.breaker.windowMs,
    clock,
    onTransition: (file, to) => {
      logger.info({ file, to }, 'circuit breaker transition');
      if (to !== 'closed')
        deps.console.line('AutoFixer', `Circuit breaker for ${file}: ${to.replace('_', '-')}`);
      void store
        .update((s) => markBreaker(s, file, to, clock.now(), config.breaker.windowMs))
        .catch((e) => logger.error({ err: e }, 'breaker state not recorded'));
    },
  });
  const recordTest = async (task: Task, verdict: Verdict) => {
    await store.update((s) => s.test_results.push(testRecord(task, verdict, isoAt(clock))));
  };
  const fixer = new AutoFixer({
    store,
    clock,
    logger,
    console: deps.console,
    fix: config.fix,
    breaker: config.breaker,
    planner,
    provider,
    usage,
    breakers,
    recordTest,
    transcript: deps.transcript,
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
  return { fixer, probe, client, usage, provider, recordTest };
}
