/** One fix attempt: apply through the FileGuard, run the related tests, keep or roll back exactly. */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { AbortError } from 'p-retry';
import type { CheckTarget } from '../check/runner.js';
import type { Verdict } from '../check/verdict.js';
import type { Plan } from '../claude/plan.js';
import type { UsageTotals } from '../claude/usage.js';
import { failureReason } from '../daemon/task-loop.js';
import type { Attempt, Task } from '../store/schema.js';
import { contentHash } from '../fs/hash.js';
import type { AutoFixerDeps } from './auto-fixer.js';
import { FileGuard, UserEditError } from './safety/guard.js';
import { AttemptSnapshot, type RollbackReport } from './safety/snapshot.js';

/** An attempt whose tests still fail (retryable). */
export class AttemptFailed extends Error {
  constructor(readonly verdict: Verdict) {
    super(failureReason(verdict));
  }
}

/** The model only tried edits the sandbox refuses: retrying would not help. */
export class NoEditError extends Error {}

/** Restoring an attempt's files failed (disk full, permissions): its journal stays for the next start. */
export class RollbackError extends Error {
  constructor(n: number, cause: unknown) {
    super(`attempt ${n} could not be rolled back (${(cause as Error).message}); its journal is kept and replayed before the next fix (or at the next start)`, { cause });
  }
}

/** Rolls attempt `n` back; a failure becomes a RollbackError (the journal is kept for a replay). */
export async function undo(snapshot: AttemptSnapshot, n: number): Promise<RollbackReport> {
  try {
    return await snapshot.rollback();
  } catch (error) {
    throw new RollbackError(n, error);
  }
}

export type AttemptOutcome = { ok: true; snapshot: AttemptSnapshot; verdict: Verdict } | { ok: false; verdict: Verdict };

export class AttemptRunner {
  /** Hashes of the task's file as the planner saw it: a different file at write time is a user edit. */
  private readonly baseline = new Map<string, string>();

  constructor(private readonly d: AutoFixerDeps & { task: Task; taskUsage: UsageTotals; attempts: Attempt[]; earlier: string[] }) {
    const f = d.task.file_path;
    if (f) {
      try {
        this.baseline.set(f, contentHash(readFileSync(join(d.config.projectRoot, f))));
      } catch {
        /* deleted: nothing to protect */
      }
    }
  }

  async attempt(n: number, max: number, plan: Plan, current: Verdict, target: CheckTarget, signal: AbortSignal, step: (s: string) => void): Promise<AttemptOutcome> {
    const { d } = this;
    const toRel = (abs: string) => relative(d.config.projectRoot, abs).split(sep).join('/');
    const snapshot = new AttemptSnapshot((abs, data) => d.onOwnWrite(toRel(abs), data === null ? null : data.toString('utf8')), join(d.journalDir, `${d.task.id}-${n}-${randomBytes(3).toString('hex')}.json`));
    const guard = new FileGuard({ sandbox: d.sandbox, snapshot, onOwnWrite: (rel, data) => d.onOwnWrite(rel, data), baseline: this.baseline });
    const started = d.clock.now();
    const record = (outcome: string, extra: { error?: string; verdict?: Verdict } = {}) =>
      d.attempts.push({
        number: d.attempts.length + 1,
        started_at: new Date(started).toISOString(),
        duration_ms: d.clock.now() - started,
        outcome,
        edited_files: [...guard.edited],
        test_summary: extra.verdict?.summary,
        error: extra.error ?? null,
        ...(guard.refusals.length ? { refusals: guard.refusals } : {}),
      });

    const rollback = async () => {
      try {
        return await undo(snapshot, n);
      } catch (failed) {
        record('rollback_failed', { error: (failed as Error).message });
        throw new AbortError(failed as Error); // retrying on a half-restored tree would be wrong
      }
    };

    // Our own wall clock bounds every attempt, whatever the provider does.
    const bounded = new AbortController();
    const timedOut = new Error(`the attempt took longer than ${d.config.fix.attemptTimeoutMs / 1000} s`);
    const timer = setTimeout(() => bounded.abort(timedOut), d.config.fix.attemptTimeoutMs);
    const forward = () => bounded.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    try {
      await d.provider.apply({ task: d.task, plan, failure: current, attempt: n, maxAttempts: max, earlierFailures: d.earlier }, guard, bounded.signal, d.taskUsage);
    } catch (error) {
      const rolled = await rollback();
      // A user save found while rolling back outranks the error that ended the attempt: stop, keep it.
      const kept = rolled.keptUserEdits[0];
      if (kept !== undefined && !(error instanceof UserEditError)) {
        const userEdit = new UserEditError(toRel(kept));
        record('user_edit', { error: `${userEdit.message} (the attempt had ended: ${(error as Error).message})` });
        throw new AbortError(userEdit);
      }
      if (bounded.signal.reason === timedOut && !signal.aborted) {
        record('timeout', { error: timedOut.message });
        d.earlier.push(`attempt ${n}: ${timedOut.message}; its edits were rolled back`);
        return { ok: false, verdict: current };
      }
      record(error instanceof UserEditError ? 'user_edit' : signal.aborted ? 'aborted' : 'error', { error: (error as Error).message });
      throw new AbortError(error as Error);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', forward);
    }
    if (guard.edited.size === 0) {
      // Nothing confirmed as written, but a write may have happened unconfirmed: restore and drop the journal.
      const rolled = await rollback();
      if (rolled.keptUserEdits[0] !== undefined) {
        const userEdit = new UserEditError(toRel(rolled.keptUserEdits[0]));
        record('user_edit', { error: userEdit.message });
        throw new AbortError(userEdit);
      }
      const refused = guard.refusals.map((r) => `${r.path}: ${r.reason}`).join('; ');
      record('no_edit', { error: refused ? `every edit was refused: ${refused}` : 'the model made no edit' });
      if (refused) throw new AbortError(new NoEditError(`the fix needs edits fixloop may not make: ${refused}`));
      d.earlier.push(`attempt ${n}: no edit was made`);
      return { ok: false, verdict: current };
    }

    step(`testing attempt ${n}/${max}`);
    d.console.line('AutoFixer', `  Running tests to validate the fix (${[...guard.edited].join(', ')})...`);
    const verdict = await d.checker.check(target, signal);
    if (signal.aborted) {
      await rollback();
      record('aborted', { error: 'stopped while testing' });
      throw new AbortError(new Error('aborted'));
    }
    await d.recordTest(d.task, verdict);
    if (verdict.passed) {
      record('passed', { verdict });
      return { ok: true, snapshot, verdict };
    }
    const rolled = await rollback();
    record('rolled_back', { verdict, error: failureReason(verdict) });
    if (rolled.keptUserEdits.length) throw new AbortError(new UserEditError(toRel(rolled.keptUserEdits[0] ?? '')));
    d.earlier.push(`attempt ${n}: ${failureReason(verdict)}`);
    return { ok: false, verdict };
  }
}
