/**
 * Headless fixer, provider `claude-code`: one `claude -p` run per attempt (stream-json), limited
 * to Read/Edit/Write/Glob/Grep, with every tool call gated by fixloop's rules through hooks.
 * The CLI (not the Agent SDK) is used so that our own process-group timeout can end it, and the
 * user's installed Claude Code and login work as they are.
 */
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { UsageMeter, UsageTotals } from '../../../claude/usage.js';
import { fixloopPackage } from '../../../fs/package-root.js';
import { redact } from '../../../redact.js';
import type { AgentSandbox, AgentSession } from '../../../sandbox/agent.js';
import { CostCapError } from '../../errors.js';
import type { FileGuard } from '../../safety/guard.js';
import { attemptPrompt } from '../prompt.js';
import type { ApplyInput, ApplyResult, HeadlessProvider } from '../provider.js';
import { cliArgs, cliCommand, DEFAULT_API } from './cli-args.js';
import { Gate } from './gate.js';
import { SecretFiles } from './secret-files.js';
import { claudeCodeSettings, SKIPPED_DIRS, shellQuote, writeSettingsFile } from './settings.js';
import { DeniedCalls, turnOf } from './stream.js';

/**
 * The hook runs from dist/ in every layout (tests run the TypeScript sources, the hook must be
 * built).
 */
export const hookScript = () =>
  join(fixloopPackage().root, 'dist/fix/providers/claude-code/hook.js');

/** What one CLI run works with. */
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
  /** Runs the CLI in the sandbox (its own network kept: the model API, fixloop's gate). */
  sandbox?: AgentSandbox | undefined;
  /** Environment of the CLI: the test environment plus the credentials it needs. */
  env: Record<string, string>;
  usage: UsageMeter;
  secrets: readonly string[];
  maxTurns: number;
  /** Per-attempt spend the CLI is told to stay under (we also count turns ourselves). */
  maxBudgetUsd: () => number;
  /** For tests: another hook command script. */
  hookScript?: string;
}

/** Claude Code's final `result` line. */
interface ResultLine {
  type: 'result';
  subtype?: string;
  is_error?: boolean;
  result?: string;
  total_cost_usd?: number;
  num_turns?: number;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    cache_creation_input_tokens?: number;
    cache_read_input_tokens?: number;
  };
  permission_denials?: unknown[];
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
    const script = this.options.hookScript ?? hookScript();
    if (!existsSync(script))
      throw new Error(`fixloop's Claude Code hook ${script} is missing; run "npm run build"`);
    // Claude Code works in the real path of the root; paths and rules are compared there.
    const realRoot = realpathSync.native(input.root);
    // `|| exit 2`: whatever goes wrong with the hook (even node failing to start it) blocks the
    // tool.
    const hook = `${shellQuote(process.execPath)} ${shellQuote(script)} || exit 2`;
    const settings = await writeSettingsFile(
      claudeCodeSettings(hook, await this.scannerFor(realRoot).scan()),
    );
    const gate = new Gate(guard, {
      secrets: this.options.secrets,
      root: realRoot,
      home: this.options.env.HOME ?? homedir(),
    });
    await gate.start();
    let session: AgentSession | undefined;
    try {
      // Without a network, the session reaches the model API and the gate through relays only.
      const api = this.options.env.ANTHROPIC_BASE_URL ?? DEFAULT_API;
      session = await this.options.sandbox?.(realRoot, {
        ANTHROPIC_BASE_URL: api,
        FIXLOOP_GATE_URL: gate.url,
      });
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

  /** One CLI run with the settings file at `settingsPath` (in `session`'s sandbox if any). */
  private async run(input: ApplyInput, ctx: RunContext): Promise<ApplyResult> {
    const { gate, guard, signal, taskUsage, settingsPath, realRoot, session } = ctx;
    const prompt = redact(attemptPrompt(input), this.options.secrets);
    // The run's budget is held against the hourly cap while it runs (parallel workers).
    const held = await this.options.usage.admitBudget(this.options.maxBudgetUsd(), signal);
    if (!held) throw new CostCapError(this.options.usage.capText());
    const args = cliArgs({ ...this.options, maxBudgetUsd: held.budget }, prompt, settingsPath);
    const { file, args: argv } = cliCommand(this.options.cliPath, args, realRoot, session?.wrap);
    return new Promise<ApplyResult>((resolve, reject) => {
      const child = spawn(file, argv, {
        cwd: realRoot,
        env: { ...this.options.env, FIXLOOP_GATE_URL: gate.url, FIXLOOP_GATE_TOKEN: gate.token },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      };
      let turns = 0;
      let result: ResultLine | undefined;
      let stderr = '';
      let overrun = false;
      const denied = new DeniedCalls((tool, path) =>
        guard.refuse(
          tool,
          path,
          'refused by Claude Code\u2019s deny rules, which fixloop sets ' +
            '(secret stores, files holding credentials, unwatched folders)',
        ),
      );
      child.stderr
        .setEncoding('utf8')
        .on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        let msg: { type?: string };
        try {
          msg = JSON.parse(line) as { type?: string };
        } catch {
          return;
        }
        if (msg.type === 'assistant' && ++turns > this.options.maxTurns * 4) {
          overrun = true; // counted by us too: never trust the agent's own bound alone
          kill();
        }
        if (msg.type === 'result') result = msg as ResultLine;
        const turn = input.onTurn && turnOf(msg, realRoot);
        if (turn) input.onTurn?.({ turn: turns, ...turn });
        denied.observe(msg);
        if (gate.userEdit) kill();
      });
      const onAbort = () => kill();
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (error) =>
        reject(
          new Error(`could not start Claude Code (${this.options.cliPath}): ${error.message}`),
        ),
      );
      child.once('close', (code) => {
        signal.removeEventListener('abort', onAbort);
        kill(); // nothing of the run outlives it
        if (gate.userEdit) return reject(gate.userEdit);
        if (signal.aborted)
          return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        if (result?.usage || result?.total_cost_usd) {
          const u = result.usage ?? {};
          this.options.usage.recordCost(
            this.options.model,
            {
              input_tokens: u.input_tokens ?? 0,
              output_tokens: u.output_tokens ?? 0,
              cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
              cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
            },
            result.total_cost_usd,
            taskUsage,
          );
        }
        if (overrun)
          return resolve({ turns, stopReason: 'max_turns (counted by fixloop)', finalText: '' });
        if (!result) {
          const last = redact(stderr.trim().split('\n').at(-1) ?? '', this.options.secrets);
          return reject(new Error(`Claude Code ended (exit ${code}) without a result: ${last}`));
        }
        if (
          result.is_error &&
          /API Error|authentication|invalid api key|401|403/i.test(result.result ?? '')
        ) {
          const why = redact(result.result ?? '', this.options.secrets).slice(0, 300);
          return reject(new Error(`Claude Code could not reach the model: ${why}`));
        }
        resolve({
          turns: result.num_turns ?? turns,
          stopReason: result.subtype ?? 'success',
          finalText: result.result ?? '',
        });
      });
    }).finally(held.release);
  }
}
