/**
 * Headless fixer, provider `claude-code`: one Claude Code run per attempt through the Agent SDK,
 * limited to Read/Edit/Write/Glob/Grep, with every tool call gated by fixloop's rules through
 * in-process hooks. The user's installed Claude Code (CLAUDE_CLI_PATH) and login are used; we
 * start the process ourselves (sandbox wrapper, process group) so our own deadline can end it.
 */
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import type { SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import type { UsageMeter, UsageTotals } from '../../../claude/usage.js';
import { redact } from '../../../redact.js';
import type { AgentSandbox, AgentSession } from '../../../sandbox/agent.js';
import { CostCapError } from '../../errors.js';
import type { FileGuard } from '../../safety/guard.js';
import { attemptPrompt } from '../prompt.js';
import type { ApplyInput, ApplyResult, HeadlessProvider } from '../provider.js';
import { Gate } from './gate.js';
import { ClaudeProcess } from './process.js';
import { DEFAULT_API, sdkOptions } from './sdk-options.js';
import { SecretFiles } from './secret-files.js';
import { claudeCodeSettings, SKIPPED_DIRS, writeSettingsFile } from './settings.js';
import { DeniedCalls, turnOf } from './stream.js';

/** What one run works with. */
interface RunContext {
  gate: Gate;
  guard: FileGuard;
  signal: AbortSignal;
  taskUsage: UsageTotals;
  settingsPath: string;
  realRoot: string;
  session: AgentSession | undefined;
}

export interface ClaudeCodeOptions {
  cliPath: string;
  model: string;
  /** Runs the CLI in the sandbox (its own network kept: the model API only). */
  sandbox?: AgentSandbox | undefined;
  /** Environment of the CLI: the test environment plus the credentials it needs. */
  env: Record<string, string>;
  usage: UsageMeter;
  secrets: readonly string[];
  maxTurns: number;
  /** Per-attempt spend the CLI is told to stay under (we also count turns ourselves). */
  maxBudgetUsd: () => number;
  /** For tests: every hook call throws this. */
  hookFault?: Error;
}

export class ClaudeCodeFixer implements HeadlessProvider {
  readonly name = 'claude-code';

  /** One secret-file scanner per workspace root (each caches what it read). */
  private readonly secretFiles = new Map<string, SecretFiles>();

  constructor(private readonly options: ClaudeCodeOptions) {}

  private scannerFor(realRoot: string): SecretFiles {
    let scanner = this.secretFiles.get(realRoot);
    if (!scanner) {
      scanner = new SecretFiles({
        root: realRoot,
        secrets: this.options.secrets,
        skipDirs: SKIPPED_DIRS,
      });
      this.secretFiles.set(realRoot, scanner);
    }
    return scanner;
  }

  async apply(
    input: ApplyInput,
    guard: FileGuard,
    signal: AbortSignal,
    taskUsage: UsageTotals,
  ): Promise<ApplyResult> {
    // Claude Code works in the real path of the root; paths and rules are compared there.
    const realRoot = realpathSync.native(input.root);
    const settings = await writeSettingsFile(
      claudeCodeSettings(await this.scannerFor(realRoot).scan()),
    );
    const gate = new Gate(guard, {
      secrets: this.options.secrets,
      root: realRoot,
      home: this.options.env.HOME ?? homedir(),
    });
    let session: AgentSession | undefined;
    try {
      // Without a network, the session reaches the model API through a relay only.
      const api = this.options.env.ANTHROPIC_BASE_URL ?? DEFAULT_API;
      session = await this.options.sandbox?.(realRoot, { ANTHROPIC_BASE_URL: api });
      const ctx = {
        gate,
        guard,
        signal,
        taskUsage,
        settingsPath: settings.path,
        realRoot,
        session,
      };
      return await this.run(input, ctx);
    } finally {
      await session?.close();
      await gate.stop();
      await settings.remove();
    }
  }

  /** One Claude Code run with the settings file at `settingsPath` (in `session`'s sandbox). */
  private async run(input: ApplyInput, ctx: RunContext): Promise<ApplyResult> {
    const { gate, guard, signal, taskUsage, settingsPath, realRoot, session } = ctx;
    const prompt = redact(attemptPrompt(input), this.options.secrets);
    // The run's budget is held against the hourly cap while it runs (parallel workers).
    const held = await this.options.usage.admitBudget(this.options.maxBudgetUsd(), signal);
    if (!held) throw new CostCapError(this.options.usage.capText());
    const proc = new ClaudeProcess(session?.wrap);
    const abortController = new AbortController();
    const kill = () => {
      proc.kill();
      abortController.abort();
    };
    signal.addEventListener('abort', kill, { once: true });
    if (signal.aborted) kill();
    let turns = 0;
    let result: SDKResultMessage | undefined;
    let overrun = false;
    let failure: unknown;
    const denied = new DeniedCalls((tool, path) =>
      guard.refuse(
        tool,
        path,
        'refused by Claude Code\u2019s deny rules, which fixloop sets ' +
          '(secret stores, files holding credentials, unwatched folders)',
      ),
    );
    const onMessage = (msg: SDKMessage) => {
      if (msg.type === 'assistant' && ++turns > this.options.maxTurns * 4) {
        overrun = true; // counted by us too: never trust the agent's own bound alone
        kill();
      }
      if (msg.type === 'result') result = msg;
      const turn = input.onTurn && turnOf(msg, realRoot);
      if (turn) input.onTurn?.({ turn: turns, ...turn });
      denied.observe(msg);
      if (gate.userEdit) kill();
    };
    try {
      // Loaded with the first claude-code attempt only (the api provider never needs it).
      const { query } = await import('@anthropic-ai/claude-agent-sdk');
      const options = sdkOptions({
        ...this.options,
        maxBudgetUsd: held.budget,
        settingsPath,
        cwd: realRoot,
        gate,
        spawn: proc.spawn,
        abortController,
      });
      if (!signal.aborted) for await (const msg of query({ prompt, options })) onMessage(msg);
    } catch (error) {
      failure = error;
    } finally {
      signal.removeEventListener('abort', kill);
      proc.settle();
      proc.kill(); // nothing of the run outlives it
      await proc.exited();
      held.release();
    }
    return this.outcome({ result, turns, overrun, failure, proc, gate, signal, taskUsage });
  }

  /** The attempt's result (or error) once the run has ended; its cost is recorded. */
  private outcome(end: {
    result: SDKResultMessage | undefined;
    turns: number;
    overrun: boolean;
    failure: unknown;
    proc: ClaudeProcess;
    gate: Gate;
    signal: AbortSignal;
    taskUsage: UsageTotals;
  }): ApplyResult {
    const { result, turns, proc, signal } = end;
    if (end.gate.userEdit) throw end.gate.userEdit;
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    if (proc.startError)
      throw new Error(
        `could not start Claude Code (${this.options.cliPath}): ${proc.startError.message}`,
      );
    if (result) {
      const u = result.usage;
      this.options.usage.recordCost(
        this.options.model,
        {
          input_tokens: u.input_tokens ?? 0,
          output_tokens: u.output_tokens ?? 0,
          cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
          cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
        },
        result.total_cost_usd,
        end.taskUsage,
      );
    }
    if (end.overrun) return { turns, stopReason: 'max_turns (counted by fixloop)', finalText: '' };
    if (!result) throw new Error(redact(noResult(this.options.cliPath, end), this.options.secrets));
    const text = result.subtype === 'success' ? result.result : result.errors.join('; ');
    if (result.is_error && /API Error|authentication|invalid api key|401|403/i.test(text)) {
      const why = redact(text, this.options.secrets).slice(0, 300);
      throw new Error(`Claude Code could not reach the model: ${why}`);
    }
    return {
      turns: result.num_turns ?? turns,
      stopReason: result.subtype ?? 'success',
      finalText: result.subtype === 'success' ? result.result : '',
    };
  }
}

/** Why a run ended without a result: the SDK's reason, how the process ended, its last words. */
function noResult(cliPath: string, end: { failure: unknown; proc: ClaudeProcess }): string {
  const said = end.failure instanceof Error ? end.failure.message : '';
  if (/does not honor onFailure/.test(said))
    return (
      `Claude Code at ${cliPath} is too old to block a tool call whose hook fails; fixloop ` +
      `needs 2.1.326 or newer (fixloop doctor checks it)`
    );
  const last = end.proc.stderr.trim().split('\n').at(-1) ?? '';
  const how = end.proc.ended ? ` (${end.proc.ended})` : '';
  return [`Claude Code ended${how} without a result`, said, last && `its last output: ${last}`]
    .filter(Boolean)
    .join(': ');
}
