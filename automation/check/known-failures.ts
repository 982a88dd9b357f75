/**
 * The judge: a checker whose verdicts set apart the failures that were already there before the
 * change (known failures). They are not the user's break, never reach the planner or the fixer,
 * and a run whose only failures are known passes. Decided before any model call.
 */
import type { Logger } from '../log/logger.js';
import type { Baseline, Settled } from './baseline/baseline.js';
import type { CheckWatch, TestChecker } from './checker.js';
import type { CheckTarget } from './runner.js';
import { type FailingTest, type Verdict, withKnownFailures } from './verdict.js';

/** Test files run again to tell a flaky failure from a real one, at most. */
const MAX_RERUN_FILES = 10;

export class KnownFailureJudge implements TestChecker {
  constructor(
    private readonly checker: TestChecker,
    private readonly baseline: Baseline,
    private readonly logger: Logger,
    /** FLAKY_RERUNS: how many times failing tests run again before they are blamed (0: never). */
    private readonly reruns = 1,
  ) {}

  get runnerName(): string | undefined {
    return this.checker.runnerName;
  }

  get warm(): boolean {
    return this.checker.warm ?? false;
  }

  prepare(): void {
    this.checker.prepare?.();
  }

  close(): Promise<void> {
    return this.checker.close?.() ?? Promise.resolve();
  }

  async check(target: CheckTarget, signal?: AbortSignal, watch?: CheckWatch): Promise<Verdict> {
    const first = await this.checker.check(target, signal, watch);
    if (first.passed || first.status === 'timeout' || signal?.aborted) return first;
    let verdict = first;
    try {
      const answer = await this.baseline.known(first, target, signal);
      verdict = withKnownFailures(first, answer.known);
      if (answer.unavailable) {
        this.logger.warn({ why: answer.unavailable }, 'could not check the baseline');
        verdict = { ...verdict, baseline_error: answer.unavailable };
      }
    } catch (error) {
      // Without a baseline every failure counts: the safe side, said on the task.
      this.logger.warn({ err: error }, 'could not compare the failures with the baseline');
      verdict = { ...first, baseline_error: (error as Error).message };
    }
    return verdict.passed || signal?.aborted ? verdict : this.flakyAside(verdict, signal, watch);
  }

  /**
   * The failures left run again, alone, up to `reruns` times on the same tree: one that passes is
   * flaky (a timing test under load, say), not the change's. Bounded to a few files, so a real
   * break costs little.
   */
  private async flakyAside(
    verdict: Verdict,
    signal?: AbortSignal,
    watch?: CheckWatch,
  ): Promise<Verdict> {
    let left = verdict.failures.filter((f) => f.file);
    const flaky: FailingTest[] = [];
    for (let run = 0; run < this.reruns && left.length > 0; run++) {
      const files = [...new Set(left.flatMap((f) => (f.file ? [f.file] : [])))];
      if (files.length > MAX_RERUN_FILES) break;
      const again = await this.checker.check({ scope: 'files', files }, signal, watch);
      if (signal?.aborted || again.status === 'error' || again.status === 'timeout') break;
      const recurs = (f: FailingTest) =>
        again.failures.some((g) => g.name === f.name && g.file === f.file);
      flaky.push(...left.filter((f) => !recurs(f)));
      left = left.filter(recurs);
    }
    if (flaky.length)
      this.logger.info({ tests: flaky.map((f) => f.name) }, 'flaky tests set aside');
    return withKnownFailures(verdict, flaky, 'flaky');
  }

  /** Records the tree as a task left it (after a save, or a kept fix). */
  async settle(verdict: Verdict, settled: Settled): Promise<void> {
    await this.baseline.remember?.(verdict, settled).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not record the test history');
    });
  }
}
