/**
 * What one fix attempt is given and gives back (attempt.ts runs it), and the rollback every
 * ending but a kept pass goes through.
 */
import type { CheckTarget } from '../check/runner.js';
import type { Verdict } from '../check/verdict.js';
import type { Plan } from '../claude/plan.js';
import type { UsageTotals } from '../claude/usage.js';
import type { Clock } from '../clock.js';
import type { DaemonConsole } from '../output/console.js';
import type { Attempt, Task } from '../store/schema.js';
import type { Transcribe } from '../transcript/writer.js';
import type { Workspace } from '../workspace/workspace.js';
import { RollbackError } from './errors.js';
import type { HeadlessProvider } from './providers/provider.js';
import type { AttemptSnapshot, RollbackReport } from './safety/snapshot.js';

/** Rolls attempt `n` back; a failure becomes a RollbackError (the journal is kept for a replay). */
export async function undo(snapshot: AttemptSnapshot, n: number): Promise<RollbackReport> {
  try {
    return await snapshot.rollback();
  } catch (error) {
    throw new RollbackError(n, error);
  }
}

/** What an attempt needs beyond its input. */
export interface AttemptDeps {
  provider: HeadlessProvider;
  clock: Clock;
  console: DaemonConsole;
  /** Our own wall clock per attempt, whatever the provider does. */
  attemptTimeoutMs: number;
  /** Appends a verdict to test_results. */
  recordTest: (task: Task, verdict: Verdict) => Promise<void>;
  /** The task's transcript: the attempt's turns, edits, test runs and outcome. */
  transcript?: Transcribe;
}

export interface AttemptInput {
  task: Task;
  plan: Plan;
  n: number;
  max: number;
  /** The failure this attempt starts from. */
  failure: Verdict;
  /** What the attempt's tests run: fixed, or (a work order) chosen from the files it edited. */
  target: CheckTarget | ((edited: readonly string[]) => CheckTarget);
  /** How the edits are judged when one check of `target` is not enough (work orders). */
  judge?: AttemptJudge;
  /** Why earlier attempts failed, told to the model. */
  earlier: readonly string[];
  workspace: Workspace;
  /** Hashes of files as the planner saw them: a different file at write time is a user edit. */
  baseline: ReadonlyMap<string, string>;
  usage: UsageTotals;
  signal: AbortSignal;
  step: (name: string) => void;
}

/**
 * `passed`: keep the edits (the snapshot can still undo them); `failed`: rolled back, worth
 * another attempt (`note` says why, for the next one); `stopped`: rolled back, stop the fix.
 */
export type AttemptResult =
  | {
      kind: 'passed';
      record: Attempt;
      snapshot: AttemptSnapshot;
      verdict: Verdict;
      /** What the judge found besides the verdict (a work order's verification). */
      proof?: Record<string, unknown>;
    }
  | { kind: 'failed'; record: Attempt; verdict: Verdict; note: string }
  | { kind: 'stopped'; record: Attempt; error: Error };

/**
 * Judges an attempt's edits: the verdict that decides it, what else was found (`proof`), or why
 * the edits cannot pass whatever the tests say (`refusal`, told to the next attempt).
 */
export type AttemptJudge = (
  edited: readonly string[],
  signal: AbortSignal,
) => Promise<{ verdict: Verdict; proof?: Record<string, unknown>; refusal?: string }>;
