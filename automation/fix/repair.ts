/**
 * One fix of a failing task: plan, then attempts with backoff until one passes, then verify again.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { targetFor } from '../check/target.js';
import { nowKnown, provesFix, unprovenReason, type Verdict } from '../check/verdict.js';
import { describeApiError } from '../claude/client.js';
import { ASK_BELOW_CONFIDENCE } from '../claude/plan.js';
import type { PlanSource } from '../claude/planner.js';
import { emptyTotals, type UsageMeter } from '../claude/usage.js';
import type { FixResult, FixRun } from '../daemon/seams.js';
import { contentHash } from '../fs/hash.js';
import type { Attempt, Task } from '../store/schema.js';
import { planLine, testLine } from '../transcript/entry.js';
import { undo } from './attempt-io.js';
import { type AttemptsDeps, attemptUntilPassed } from './attempts.js';
import {
  AttemptFailedError,
  BecameKnownError,
  CostCapError,
  NoEditError,
  RollbackError,
  UserEditError,
} from './errors.js';
import type { AttemptSnapshot } from './safety/snapshot.js';

export interface RepairDeps extends AttemptsDeps {
  planner: PlanSource;
  usage: UsageMeter;
  /** Writes the task's spend into the state. */
  saveUsage: (delta: ReturnType<typeof emptyTotals>) => Promise<void>;
}

/**
 * Hashes of the task's file as the planner saw it: a different file at write time is a user edit.
 */
function baselineOf(task: Task, root: string): Map<string, string> {
  const baseline = new Map<string, string>();
  if (task.file_path) {
    try {
      baseline.set(task.file_path, contentHash(readFileSync(join(root, task.file_path))));
    } catch {
      /* deleted: nothing to protect */
    }
  }
  return baseline;
}

/** Plans and fixes `task`; returns what happened (never throws for a failed fix). */
export async function repair(
  deps: RepairDeps,
  task: Task,
  verdict: Verdict,
  run: FixRun,
): Promise<FixResult> {
  const { console: out } = deps;
  const { workspace, signal, step } = run;
  const usage = emptyTotals();
  const attempts: Attempt[] = [];
  const earlier = (task.attempts ?? [])
    .map((a) => a.error)
    .filter((e): e is string => !!e)
    .slice(-3);
  const baseline = baselineOf(task, workspace.root);
  step('planning');
  out.line('Orchestrator', 'Step 1: Getting fix strategy from Interactive Claude...');
  const planned = await deps.planner.plan({
    task,
    verdict,
    earlier,
    usage,
    root: workspace.root,
    signal,
  });
  const plan = planned.plan;
  deps.transcript?.(task.id, planLine(plan, planned.fallback ? planned.error : undefined));
  if (planned.fallback) {
    out.line(
      'Orchestrator',
      out.style.yellow(`Planner unavailable (${planned.error}); using the basic strategy`),
    );
  }
  const patch = () => ({
    plan,
    attempts: [...(task.attempts ?? []), ...attempts],
    usage,
    ...(planned.fallback ? { plan_fallback: planned.error } : {}),
  });
  const finish = async (result: FixResult) => {
    await deps.saveUsage(usage);
    const said = 'error' in result ? ` (${result.error})` : '';
    deps.planner.noteOutcome(
      result.kind === 'fixed'
        ? `Fixed after ${attempts.length} attempt(s).`
        : `Outcome: ${result.kind}${said}.`,
    );
    return result;
  };
  if (plan.question && plan.confidence < ASK_BELOW_CONFIDENCE && !task.answer) {
    return finish({ kind: 'needs_input', question: plan.question, patch: patch() });
  }
  out.line(
    'Orchestrator',
    `Step 2: Executing fix with Headless Claude (${deps.provider.name}): ${plan.summary}`,
  );
  const maxAttempts = deps.fix.maxRetries + 1;
  const target = targetFor(task, workspace.root);
  if ('skip' in target)
    return finish({ kind: 'failed', error: target.skip, verdict, patch: patch() });
  const progress = { attempts, current: verdict, earlier };
  let kept: { snapshot: AttemptSnapshot } | undefined;
  try {
    kept = await attemptUntilPassed(
      deps,
      { task, plan, target, workspace, baseline, usage, signal, step },
      progress,
      { who: 'AutoFixer', what: `task ${task.id}`, failed: (m) => `${out.style.red('✗')} ${m}` },
    );
    step('verifying fix');
    out.line('Orchestrator', 'Step 3: Verifying fix...');
    const final = await workspace.checker.check(target, signal);
    await deps.recordTest(task, final);
    deps.transcript?.(task.id, { kind: 'test', ...testLine(final) });
    const moot = nowKnown(verdict, final);
    if (moot.length) throw new BecameKnownError(moot);
    if (!provesFix(final)) {
      await undo(kept.snapshot, attempts.length);
      const why = unprovenReason(final);
      const error = `the fix did not hold when verified again (${why}); rolled back`;
      return finish({ kind: 'failed', error, verdict: final, patch: patch() });
    }
    await kept.snapshot.discard();
    out.line('AutoFixer', `${out.style.green('✓')} Fix succeeded on attempt ${attempts.length}`);
    return finish({ kind: 'fixed', verdict: final, patch: patch() });
  } catch (error) {
    // Stopped during the final verification: the kept attempt is undone too (retried later).
    // (Not when that rollback itself just failed: its journal is kept and replayed.)
    const undone =
      error instanceof RollbackError || !kept
        ? undefined
        : await undo(kept.snapshot, attempts.length).then(
            () => undefined,
            (e: unknown) => e,
          );
    return finish(failureResult(undone ?? error, progress.current, signal, patch(), maxAttempts));
  }
}

function failureResult(
  error: unknown,
  current: Verdict,
  signal: AbortSignal,
  patch: Record<string, unknown>,
  maxAttempts: number,
): FixResult {
  if (error instanceof UserEditError) return { kind: 'requeue', reason: error.message, patch };
  if (error instanceof BecameKnownError) return { kind: 'clean', known: error.known, patch };
  // A failed rollback is said even when stopping.
  if (error instanceof RollbackError)
    return { kind: 'failed', error: error.message, verdict: current, patch };
  if (signal.aborted) return { kind: 'requeue', reason: 'stopped during the fix', patch };
  if (error instanceof CostCapError) {
    return {
      kind: 'failed',
      error: error.message,
      verdict: current,
      patch: { ...patch, cost_capped: true },
    };
  }
  if (error instanceof NoEditError)
    return { kind: 'failed', error: error.message, verdict: current, patch };
  if (error instanceof AttemptFailedError) {
    const why = `no fix passed the tests after ${maxAttempts} attempt(s); last: ${error.message}`;
    return { kind: 'failed', error: why, verdict: current, patch };
  }
  const why = `Claude API unavailable: ${describeApiError(error)}`;
  return { kind: 'failed', error: why, verdict: current, patch };
}
