/**
 * The Agent SDK options of one headless Claude Code run: five tools, fixloop's rules, the gate's
 * in-process hooks (failing closed), nothing from the user's or project's Claude settings.
 */
import type { HookCallback, HookCallbackMatcher, Options } from '@anthropic-ai/claude-agent-sdk';
import type { Gate } from './gate.js';
import type { HookInput } from './hook-calls.js';

const RULES = `You are fixloop's headless fixer. Apply the plan with Read, Edit and Write. To find
files use Glob, or Grep listing matching files (output_mode files_with_matches), then Read them.
Paths are inside the project root; existing test files, .env files, .git, node_modules, files
holding credentials and files outside the project are refused. Make the smallest change that makes
the failing tests pass (a work order: the described change, with new tests proving it), then
stop.`;

/** The model API when ANTHROPIC_BASE_URL is not set. */
export const DEFAULT_API = 'https://api.anthropic.com';

/** How long a hook call may take (seconds): the gate may be waiting for the developer to pause. */
export const HOOK_TIMEOUT_S = 3600;

export interface RunOptions {
  cliPath: string;
  model: string;
  maxTurns: number;
  maxBudgetUsd: number;
  settingsPath: string;
  cwd: string;
  env: Record<string, string>;
  gate: Gate;
  spawn: NonNullable<Options['spawnClaudeCodeProcess']>;
  abortController: AbortController;
  /** For tests: every hook call throws this (the tool call must then be blocked). */
  hookFault?: Error | undefined;
}

/**
 * The gate as SDK hooks: PreToolUse on every tool decides, PostToolUse on Edit/Write confirms.
 * `onFailure: 'block'`: a hook that throws blocks the call (the SDK's default would let it go
 * ahead).
 */
export function gateHooks(gate: Gate, fault?: Error): Options['hooks'] {
  const pre: HookCallback = async (input) => {
    if (fault) throw fault;
    const d = await gate.decide(input as HookInput);
    return {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: d.permissionDecision === 'allow' ? 'allow' : 'deny',
        permissionDecisionReason: d.reason ?? 'allowed by fixloop',
      },
    };
  };
  const post: HookCallback = async (input) => {
    if (fault) throw fault;
    await gate.decide(input as HookInput);
    return {};
  };
  const matcher = (hooks: HookCallback[], on?: string): HookCallbackMatcher => ({
    ...(on ? { matcher: on } : {}),
    hooks,
    timeout: HOOK_TIMEOUT_S,
    onFailure: 'block',
  });
  return { PreToolUse: [matcher([pre])], PostToolUse: [matcher([post], 'Edit|Write')] };
}

/** The options of `query()` (the prompt is already redacted). */
export function sdkOptions(o: RunOptions): Options {
  return {
    pathToClaudeCodeExecutable: o.cliPath,
    spawnClaudeCodeProcess: o.spawn,
    cwd: o.cwd,
    env: o.env,
    model: o.model,
    maxTurns: o.maxTurns,
    maxBudgetUsd: o.maxBudgetUsd,
    tools: ['Read', 'Edit', 'Write', 'Glob', 'Grep'],
    // Reads are auto-approved (still gated by the hook); Edit/Write are not, so only the hook's
    // "allow" lets them run (with no one to ask, a call that would ask is refused).
    allowedTools: ['Read', 'Glob', 'Grep'],
    permissionMode: 'default',
    settingSources: [],
    settings: o.settingsPath,
    strictMcpConfig: true,
    persistSession: false,
    systemPrompt: { type: 'preset', preset: 'claude_code', append: RULES },
    hooks: gateHooks(o.gate, o.hookFault),
    abortController: o.abortController,
  };
}
