/**
 * The judge: a checker whose verdicts set apart the failures that were already there before the
 * change (known failures). They are not the user's break, never reach the planner or the fixer,
 * and a run whose only failures are known passes. Decided before any model call.
 */
import type { Logger } from '../log/logger.js';
import type { Baseline, Settled } from './baseline/baseline.js';
import type { TestChecker } from './checker.js';
import type { CheckTarget } from './runner.js';
import { type Verdict, withKnownFailures } from './verdict.js';

export class KnownFailureJudge implements TestChecker {
  constructor(
    private readonly checker: TestChecker,
    private readonly baseline: Baseline,
    private readonly logger: Logger,
  ) {}

  get runnerName(): string | undefined {
    return this.checker.runnerName;
  }

  async check(target: CheckTarget, signal?: AbortSignal): Promise<Verdict> {
    const verdict = await this.checker.check(target, signal);
    if (verdict.passed || verdict.status === 'timeout' || signal?.aborted) return verdict;
    try {
      return withKnownFailures(verdict, await this.baseline.known(verdict, target, signal));
    } catch (error) {
      // Without a baseline every failure counts: the safe side.
      this.logger.warn({ err: error }, 'could not compare the failures with the baseline');
      return verdict;
    }
  }

  /** Records the tree as a task left it (after a save, or a kept fix). */
  async settle(verdict: Verdict, settled: Settled): Promise<void> {
    await this.baseline.remember?.(verdict, settled).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not record the test history');
    });
  }
}
