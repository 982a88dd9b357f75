/**
 * The headless-fixer seam: a provider applies a plan in one attempt, every file access through the
 * attempt's FileGuard.
 */
import type { Verdict } from '../../check/verdict.js';
import type { Plan } from '../../claude/plan.js';
import type { UsageTotals } from '../../claude/usage.js';
import type { Task } from '../../store/schema.js';
import type { ToolCall } from '../../transcript/entry.js';
import type { FileGuard } from '../safety/guard.js';

export interface ApplyInput {
  task: Task;
  plan: Plan;
  failure: Verdict;
  attempt: number;
  maxAttempts: number;
  earlierFailures: readonly string[];
  /** The workspace's root: where the provider works (the guard's rules are rooted there too). */
  root: string;
  /** Told of each model turn: the first words it said and the tools it called (with paths). */
  onTurn?: (turn: ModelTurn) => void;
}

/** One model turn of an attempt, as the transcript keeps it. */
export interface ModelTurn {
  turn: number;
  said: string;
  tools: ToolCall[];
}

export interface ApplyResult {
  turns: number;
  stopReason: string;
  /** The model's last words, if any. */
  finalText: string;
}

export interface HeadlessProvider {
  readonly name: string;
  /** Runs one bounded attempt; throws UserEditError or API errors, returns when the model stops. */
  apply(
    input: ApplyInput,
    guard: FileGuard,
    signal: AbortSignal,
    taskUsage: UsageTotals,
  ): Promise<ApplyResult>;
}
