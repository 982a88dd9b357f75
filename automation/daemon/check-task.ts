/**
 * Processes a save of the working tree (file_change, bulk_change, manual): check, then fix if red.
 */
import { describeRunning, type RunningTest } from '../check/instrument/progress.js';
import { failureReason, testRecord } from '../check/record.js';
import { targetFor } from '../check/target.js';
import { MAX_FAILURES, testId, type Verdict } from '../check/verdict.js';
import { isoAt } from '../clock.js';
import type { Task } from '../store/schema.js';
import { testLine } from '../transcript/entry.js';
import { ChecksInFlight, SupersededError } from './check-in-flight.js';
import type { TaskOutcomes } from './outcomes.js';
import type { CoreDeps, FixResult, FixStage } from './seams.js';

export interface CheckTaskDeps extends Pick<CoreDeps, 'store' | 'clock' | 'console' | 'workspace'> {
  outcomes: TaskOutcomes;
  fixer?: FixStage | undefined;
  /** The check under way, which newer saves may cancel. */
  inFlight?: ChecksInFlight;
}

/** Checks `task` in the working tree and records the outcome; fixes failures when it can. */
export async function checkTask(
  deps: CheckTaskDeps,
  task: Task,
  signal: AbortSignal,
): Promise<void> {
  const { console: out, outcomes, workspace } = deps;
  const what = task.file_path ? ` for ${task.file_path}` : ` (${task.description})`;
  out.line('Orchestrator', `Processing task ${task.id}${what}`);
  const target = targetFor(task, workspace.root);
  if ('skip' in target) {
    out.line('Orchestrator', `${out.style.dim('–')} ${task.id} skipped: ${target.skip}`);
    return outcomes.finish(task, 'skipped', { error: target.skip }, undefined);
  }

  const label = target.scope === 'suite' ? 'the whole suite' : target.files.join(', ');
  const stopProgress = out.progress(`Running tests for ${label}`);
  const show = (test: RunningTest) => void showRunning(deps, task.id, test);
  const checking = (deps.inFlight ?? new ChecksInFlight(workspace.root)).begin(
    target,
    signal,
    show,
  );
  let verdict: Verdict;
  try {
    verdict = await workspace.checker.check(target, checking.signal, checking.watch);
  } finally {
    checking.end();
    stopProgress();
  }
  if (signal.aborted) return outcomes.putBack(task, 'stopped while checking');
  if (checking.signal.aborted) return superseded(deps, task, verdict, checking.signal.reason);
  // Written with the task's outcome (one write), or before a fix begins.
  const record = testRecord(task, verdict, isoAt(deps.clock));

  const known = knownPatch(verdict);
  if (verdict.baseline_error && !verdict.passed) {
    out.line(
      'Orchestrator',
      `${out.style.yellow('⚠')} ${task.id}: could not check the baseline: ` +
        `${verdict.baseline_error}; its failures count as yours`,
    );
  }
  if (verdict.status === 'no_tests') {
    // Never a ✓: nothing was tested.
    out.line(
      'Orchestrator',
      `${out.style.dim('–')} ${task.id} has no related tests: ${verdict.summary}`,
    );
    return outcomes.finish(task, 'skipped', { error: 'no related tests' }, verdict, record);
  }
  if (verdict.passed) {
    const mark = out.style.green('✓');
    const also = known.known_failures
      ? ' (its failures were already there before your change)'
      : '';
    out.line('Orchestrator', `${mark} ${task.id} is clean${also}: ${verdict.summary}`);
    for (const f of verdict.flaky) {
      const where = f.location ? ` (${f.location})` : '';
      out.line(
        'Orchestrator',
        `${out.style.yellow('⚠')} flaky: ${testId(f)}${where} failed, then passed when run again`,
      );
    }
    await workspace.checker.settle?.(verdict, { target, attributed: false });
    return outcomes.finish(task, 'clean', known, verdict, record);
  }
  if (verdict.failures.length === 0 && verdict.known_failures.length > 0) {
    // Nothing could run, and it was so before the change as well: no fix of the code helps.
    const cause = verdict.known_failures[0]?.message ?? verdict.summary;
    const error = `no test could run, as before your change: ${cause}`;
    out.line('Orchestrator', `${out.style.red('✗')} ${task.id} ${error}`);
    await workspace.checker.settle?.(verdict, { target, attributed: false });
    return outcomes.finish(task, 'failed', { ...known, error }, verdict, record);
  }
  out.line(
    'Orchestrator',
    `${out.style.red('✗')} ${task.id} tests failed: ${failureReason(verdict)}`,
  );
  const fixer = deps.fixer;
  if (!fixer || fixer.unavailableReason) {
    const patch = { ...known, error: failureReason(verdict), verdict_summary: verdict.summary };
    await workspace.checker.settle?.(verdict, { target, attributed: true });
    return outcomes.finish(task, 'failed', patch, verdict, record);
  }
  await deps.store.update((state) => state.test_results.push(record));
  const step = (name: string) => void outcomes.setStep(task.id, name);
  outcomes.transcribe(task, { kind: 'test', ...testLine(verdict) });
  const result = await fixer.fix(task, verdict, { workspace, signal, step });
  // The tree as the task leaves it: fixed, or as the user left it (every attempt rolled back).
  // Recorded only now, so the fix's attempts were judged against what came before the save.
  if (result.kind === 'fixed') {
    await workspace.checker.settle?.(result.verdict, { target, attributed: false });
  } else if (result.kind === 'clean') {
    const names = result.known.map((f) => testId(f)).join(', ');
    out.line(
      'Orchestrator',
      `${out.style.green('✓')} ${task.id} is clean: its failure is now a known failure ` +
        `(it fails at HEAD too): ${names}; the fix's edits were rolled back`,
    );
  } else if (result.kind !== 'requeue') {
    await workspace.checker.settle?.(verdict, { target, attributed: true });
  }
  return applyFix(outcomes, task, { ...result, patch: { ...known, ...result.patch } });
}

/**
 * The task's `known_failures` (failures that were already there) and `flaky` tests, when there
 * are any, and why the baseline could not tell, when it could not.
 */
function knownPatch(verdict: Verdict): {
  known_failures?: Array<Record<string, unknown>>;
  flaky?: string[];
  baseline_error?: string;
} {
  const why = {
    ...(verdict.baseline_error ? { baseline_error: verdict.baseline_error } : {}),
    ...(verdict.flaky.length ? { flaky: verdict.flaky.slice(0, MAX_FAILURES).map(testId) } : {}),
  };
  if (verdict.known_failures.length === 0) return why;
  return {
    ...why,
    known_failures: verdict.known_failures.slice(0, MAX_FAILURES).map((f) => ({
      name: f.name,
      file: f.file,
      message: f.message,
      ...(f.location ? { location: f.location } : {}),
    })),
  };
}

/** Records on the task the test it has been running for a while (`fixloop status` shows it). */
async function showRunning(deps: CheckTaskDeps, id: string, test: RunningTest): Promise<void> {
  const running = {
    name: test.name,
    file: test.file,
    ...(test.location ? { location: test.location } : {}),
    since: new Date(test.since).toISOString(),
  };
  await deps.store
    .update((state) => {
      const t = state.queues.in_progress.find((x) => x.id === id);
      if (t) t.running = running;
    })
    .catch(() => {});
}

/** A newer save of a file the check covered cancelled it: it ends naming what was running. */
function superseded(deps: CheckTaskDeps, task: Task, verdict: Verdict, reason: unknown) {
  const out = deps.console;
  const by = reason instanceof SupersededError ? reason.message : 'a newer save';
  const running = verdict.running ?? [];
  const still = running.length
    ? `; still running: ${describeRunning(running, deps.clock.now())}`
    : '';
  const error = `cancelled by ${by}${still}`;
  out.line('Orchestrator', `${out.style.yellow('⏹')} ${task.id} ${error}`);
  const names = running.map((r) => ({
    name: r.name,
    file: r.file,
    ...(r.location ? { location: r.location } : {}),
    seconds: Math.round((deps.clock.now() - r.since) / 1000),
  }));
  return deps.outcomes.finish(task, 'cancelled', { error, still_running: names }, undefined);
}

function applyFix(outcomes: TaskOutcomes, task: Task, result: FixResult): Promise<void> {
  const patch = result.patch ?? {};
  if (result.kind === 'clean') {
    const known_failures = result.known.map((f) => ({
      name: f.name,
      file: f.file,
      message: f.message,
    }));
    return outcomes.finish(task, 'clean', { ...patch, known_failures }, undefined);
  }
  if (result.kind === 'fixed') return outcomes.finish(task, 'fixed', patch, result.verdict);
  if (result.kind === 'failed') {
    return outcomes.finish(task, 'failed', { ...patch, error: result.error }, result.verdict);
  }
  if (result.kind === 'requeue') return outcomes.putBack(task, result.reason, patch);
  return outcomes.needsInput(task, result.question, patch);
}
