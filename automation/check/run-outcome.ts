/**
 * The verdict of one finished run (timed out, aborted, or read from the runner's report), and one
 * verdict for several runs (files owned by different packages of a monorepo).
 */
import type { TestSetup } from './detect.js';
import { describeRunning, type RunningTest } from './instrument/progress.js';
import type { RunResult } from './process-runner.js';
import type { CheckTarget, Reading, RunnerContext } from './runner.js';
import { finishVerdict, type Verdict, type VerdictDraft } from './verdict.js';

const zero = () => ({ passed: 0, failed: 0, skipped: 0, total: 0 });
/** Worst first: the status of a merged verdict is the worst of its parts. */
const SEVERITY = ['error', 'timeout', 'failed', 'passed', 'no_tests'] as const;

/** What a run gave, and what the verdict has from the run already (`common`). */
export interface FinishedRun {
  setup: TestSetup;
  ctx: RunnerContext;
  result: RunResult;
  report: string | undefined;
  common: Omit<VerdictDraft, 'status' | 'counts' | 'failures'>;
  timeoutMs: number;
  /** What it was still running when cut short. */
  running: RunningTest[];
  /** Tests its progress saw pass (`file > name`), for runners whose report does not name them. */
  passed: string[];
}

/** The verdict of a finished run. */
export function verdictOfRun(run: FinishedRun): Verdict {
  const { setup, ctx, result, report, common, timeoutMs, running } = run;
  const runFailure = (message: string) => [{ name: 'test run', file: null, message, excerpt: '' }];
  if (result.timedOut) {
    const still = running.length ? `; still running: ${describeRunning(running, Date.now())}` : '';
    const secs = Math.round(timeoutMs / 1000);
    const why = `the test run took longer than ${secs} s and was killed${still}`;
    return finishVerdict({
      ...common,
      status: 'timeout',
      counts: zero(),
      failures: runFailure(why),
    });
  }
  if (result.aborted) {
    return finishVerdict({
      ...common,
      status: 'error',
      counts: zero(),
      failures: runFailure('aborted'),
    });
  }
  let reading: Reading;
  try {
    reading = setup.runner.read(result, report, ctx);
  } catch (error) {
    const why = `unreadable report: ${(error as Error).message}`;
    reading = {
      status: 'error',
      counts: zero(),
      failures: [{ name: 'test report', file: null, message: why, excerpt: '' }],
    };
  }
  const { testFiles, ...rest } = reading;
  // The report's list where it names files, else the progress reporter's.
  const passedTests = reading.passedTests?.some((id) => id.includes(' > '))
    ? reading.passedTests
    : run.passed.length
      ? run.passed
      : reading.passedTests;
  return finishVerdict({
    ...common,
    ...rest,
    ...(testFiles ? { test_files: testFiles } : {}),
    ...(passedTests?.length ? { passed_tests: passedTests } : {}),
  });
}

/** One verdict for several runs (files owned by different packages of a monorepo). */
export function mergeVerdicts(parts: Verdict[], target: CheckTarget): Verdict {
  const status = SEVERITY.find((s) => parts.some((p) => p.status === s)) ?? 'no_tests';
  const counts = zero();
  for (const p of parts) {
    counts.passed += p.counts.passed;
    counts.failed += p.counts.failed;
    counts.skipped += p.counts.skipped;
    counts.total += p.counts.total;
  }
  const ran = parts.filter((p) => p.runner !== 'none');
  const foreign = [...new Set(parts.flatMap((p) => p.foreign_reads ?? []))];
  return finishVerdict({
    ...(foreign.length ? { foreign_reads: foreign } : {}),
    status,
    runner: [...new Set(ran.map((p) => p.runner))].join('+') || 'none',
    scope: target.scope,
    files: target.files,
    command: ran.map((p) => p.command).join(' ; '),
    counts,
    failures: parts.flatMap((p) => p.failures),
    test_files: parts.flatMap((p) => p.test_files ?? []),
    passed_tests: parts.flatMap((p) => p.passed_tests ?? []),
    exit_code: ran.find((p) => p.exit_code !== 0)?.exit_code ?? ran[0]?.exit_code ?? null,
    duration_ms: parts.reduce((sum, p) => sum + p.duration_ms, 0),
    output_excerpt: ran.map((p) => p.output_excerpt).join('\n'),
  });
}
