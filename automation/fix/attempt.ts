/**
 * One fix attempt: apply through the FileGuard, run the related tests, keep or roll back exactly.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { failureReason } from '../check/record.js';
import { nowKnown, provesFix, unprovenReason, type Verdict } from '../check/verdict.js';
import { relativePosix } from '../fs/paths.js';
import type { Attempt } from '../store/schema.js';
import { type EntryBody, lineChanges, testLine } from '../transcript/entry.js';
import { type AttemptDeps, type AttemptInput, type AttemptResult, undo } from './attempt-io.js';
import { Deadline } from './deadline.js';
import { BecameKnownError, FixAbortedError, NoEditError, UserEditError } from './errors.js';
import { FileGuard } from './safety/guard.js';
import { AttemptSnapshot, type RollbackReport } from './safety/snapshot.js';

export type { AttemptDeps, AttemptInput, AttemptResult } from './attempt-io.js';

type Note = (entry: EntryBody) => void;

/** An `edit` line per file the attempt changed: its path and the lines added and removed. */
async function noteEdits(
  note: Note,
  n: number,
  snapshot: AttemptSnapshot,
  toRel: (abs: string) => string,
): Promise<void> {
  for (const file of await snapshot.contents()) {
    if (file.before && file.after && file.before.equals(file.after)) continue;
    const { added, removed } = lineChanges(
      file.before?.toString('utf8') ?? null,
      file.after?.toString('utf8') ?? null,
    );
    note({ kind: 'edit', attempt: n, path: toRel(file.abs), added, removed });
  }
}

/** Runs one attempt; never throws for what happens inside it, only returns. */
export async function runAttempt(deps: AttemptDeps, input: AttemptInput): Promise<AttemptResult> {
  const { workspace, task, n, signal } = input;
  const toRel = (abs: string) => relativePosix(workspace.root, abs);
  const journal = join(
    workspace.journalDir,
    `${task.id}-${n}-${randomBytes(3).toString('hex')}.json`,
  );
  const snapshot = new AttemptSnapshot(
    (abs, data) => workspace.ownWrite(toRel(abs), data),
    journal,
  );
  const bounded = new AbortController();
  const timedOut = new Error(`the attempt took longer than ${deps.attemptTimeoutMs / 1000} s`);
  const deadline = new Deadline(deps.attemptTimeoutMs, () => bounded.abort(timedOut), deps.clock);
  const fixing = `fixing: attempt ${n}/${input.max}`;
  input.step(fixing);
  /** Waiting for the developer to pause does not count against the attempt's time. */
  const untilQuiet = async () => {
    if (!workspace.untilQuiet) return;
    let waited = false;
    deadline.pause();
    try {
      await workspace.untilQuiet(bounded.signal, () => {
        waited = true;
        input.step('waiting for you to pause');
        deps.console.line('AutoFixer', '  Waiting for you to pause before writing the fix...');
      });
    } finally {
      deadline.resume();
      if (waited) input.step(fixing);
    }
  };
  const guard = new FileGuard({
    sandbox: workspace.sandbox,
    snapshot,
    onOwnWrite: (rel, data) => workspace.ownWrite(rel, data),
    baseline: input.baseline,
    untilQuiet,
  });
  const started = deps.clock.now();
  const note = deps.transcript ? (deps.transcript.bind(null, task.id) as Note) : undefined;
  const record = (outcome: string, extra: { error?: string; verdict?: Verdict } = {}): Attempt => {
    note?.({ kind: 'attempt', attempt: n, outcome, error: extra.error ?? null });
    return {
      number: n,
      started_at: new Date(started).toISOString(),
      duration_ms: deps.clock.now() - started,
      outcome,
      edited_files: [...guard.edited],
      test_summary: extra.verdict?.summary,
      error: extra.error ?? null,
      ...(guard.refusals.length ? { refusals: guard.refusals } : {}),
    };
  };
  const stopped = (outcome: string, error: Error, message = error.message): AttemptResult => ({
    kind: 'stopped',
    record: record(outcome, { error: message }),
    error,
  });
  /**
   * Rolls back; a failed rollback stops the fix (retrying on a half-restored tree would be wrong).
   */
  const rollback = async (): Promise<RollbackReport | AttemptResult> => {
    try {
      return await undo(snapshot, n);
    } catch (failed) {
      return stopped('rollback_failed', failed as Error);
    }
  };
  const keptEdit = (rolled: RollbackReport) => rolled.keptUserEdits[0];

  const forward = () => bounded.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  try {
    await deps.provider.apply(
      {
        task,
        plan: input.plan,
        failure: input.failure,
        attempt: n,
        maxAttempts: input.max,
        earlierFailures: input.earlier,
        root: workspace.root,
        ...(note ? { onTurn: (t) => note({ kind: 'turn', attempt: n, ...t }) } : {}),
      },
      guard,
      bounded.signal,
      input.usage,
    );
  } catch (error) {
    const rolled = await rollback();
    if ('kind' in rolled) return rolled;
    // A user save found while rolling back outranks the error that ended the attempt: keep it.
    const kept = keptEdit(rolled);
    if (kept !== undefined && !(error instanceof UserEditError)) {
      const userEdit = new UserEditError(toRel(kept));
      return stopped(
        'user_edit',
        userEdit,
        `${userEdit.message} (the attempt had ended: ${(error as Error).message})`,
      );
    }
    if (bounded.signal.reason === timedOut && !signal.aborted) {
      const note = `attempt ${n}: ${timedOut.message}; its edits were rolled back`;
      return {
        kind: 'failed',
        record: record('timeout', { error: timedOut.message }),
        verdict: input.failure,
        note,
      };
    }
    const outcome =
      error instanceof UserEditError ? 'user_edit' : signal.aborted ? 'aborted' : 'error';
    return stopped(outcome, error as Error);
  } finally {
    deadline.stop();
    signal.removeEventListener('abort', forward);
  }

  if (guard.edited.size === 0) {
    // Nothing confirmed as written, but a write may have happened unconfirmed: restore anyway.
    const rolled = await rollback();
    if ('kind' in rolled) return rolled;
    const kept = keptEdit(rolled);
    if (kept !== undefined) return stopped('user_edit', new UserEditError(toRel(kept)));
    const refused = guard.refusals.map((r) => `${r.path}: ${r.reason}`).join('; ');
    if (guard.refusals.some((r) => r.retry)) {
      // Refused for how it changed a file (a weakened test): another attempt can do it right.
      const error = `every edit was refused: ${refused}`;
      const failed = record('refused', { error });
      return {
        kind: 'failed',
        record: failed,
        verdict: input.failure,
        note: `attempt ${n}: ${error}`,
      };
    }
    if (refused) {
      const error = new NoEditError(`the fix needs edits fixloop may not make: ${refused}`);
      return stopped('no_edit', error, `every edit was refused: ${refused}`);
    }
    const note = `attempt ${n}: no edit was made`;
    return {
      kind: 'failed',
      record: record('no_edit', { error: 'the model made no edit' }),
      verdict: input.failure,
      note,
    };
  }

  if (note) await noteEdits(note, n, snapshot, toRel);
  input.step(`testing attempt ${n}/${input.max}`);
  const [who, what] = task.type === 'work' ? ['Worker', 'change'] : ['AutoFixer', 'fix'];
  const edited = [...guard.edited].join(', ');
  deps.console.line(who, `  Running tests to validate the ${what} (${edited})...`);
  const target =
    typeof input.target === 'function' ? input.target([...guard.edited]) : input.target;
  const judged = input.judge
    ? await input.judge([...guard.edited], signal)
    : { verdict: await workspace.checker.check(target, signal) };
  const verdict = judged.verdict;
  if (signal.aborted) {
    const rolled = await rollback();
    if ('kind' in rolled) return rolled;
    return stopped('aborted', new FixAbortedError(), 'stopped while testing');
  }
  await deps.recordTest(task, verdict);
  note?.({ kind: 'test', attempt: n, ...testLine(verdict) });
  const moot = nowKnown(input.failure, verdict);
  if (moot.length) {
    // HEAD moved under the fix: its failure is known now, and the edit proves nothing.
    const rolled = await rollback();
    if ('kind' in rolled) return rolled;
    return stopped('known', new BecameKnownError(moot));
  }
  if (provesFix(verdict) && !judged.refusal) {
    const proof = judged.proof ? { proof: judged.proof } : {};
    return { kind: 'passed', record: record('passed', { verdict }), snapshot, verdict, ...proof };
  }
  const rolled = await rollback();
  if ('kind' in rolled) return rolled;
  const reason =
    judged.refusal ?? (verdict.passed ? unprovenReason(verdict) : failureReason(verdict));
  const kept = keptEdit(rolled);
  if (kept !== undefined) {
    return {
      kind: 'stopped',
      record: record('rolled_back', { verdict, error: reason }),
      error: new UserEditError(toRel(kept)),
    };
  }
  return {
    kind: 'failed',
    record: record('rolled_back', { verdict, error: reason }),
    verdict,
    note: `attempt ${n}: ${reason}`,
  };
}
