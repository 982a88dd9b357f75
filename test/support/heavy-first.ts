/**
 * vitest's own order, but the files known to take longest start first. Without vitest's timing
 * cache (a fresh clone, CI) its fallback is file size, and a small file that runs a shared suite
 * (warm-jest.test.ts) would start last and stretch the run by its whole length.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The longest files, longest first (as measured on two cores). */
const HEAVY = [
  'check/warm-runner.test.ts',
  'work/work-orders.test.ts',
  'check/warm-jest.test.ts',
  'check/judging.test.ts',
  'fix/providers/provider-contract.test.ts',
  'work/proof.test.ts',
  'check/baseline-isolation.test.ts',
  'fix/auto-fixer.test.ts',
  'daemon/judging-e2e.test.ts',
  'trust/sandbox.test.ts',
  'daemon/robustness-e2e.test.ts',
  'check/checker.test.ts',
];

export default class HeavyFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (s: TestSpecification) => {
      const i = HEAVY.findIndex((h) => s.moduleId.endsWith(`/test/${h}`));
      return i < 0 ? HEAVY.length : i;
    };
    return sorted
      .map((spec, at) => ({ spec, at }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.at - b.at)
      .map(({ spec }) => spec);
  }
}
