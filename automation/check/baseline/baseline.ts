/** What a baseline answers: which of a verdict's failures were already there before the change. */
import type { CheckTarget } from '../runner.js';
import type { FailingTest, Verdict } from '../verdict.js';

/** How a task left the tree: what it checked, and whether its failures were told to the user. */
export interface Settled {
  target: CheckTarget;
  /** The task ended failed or asking: its (new) failures are the change's. */
  attributed: boolean;
}

export interface Baseline {
  /** The failures of `verdict` that also failed before the change. */
  known(verdict: Verdict, target: CheckTarget, signal?: AbortSignal): Promise<FailingTest[]>;
  /** Records the tree as a task left it (never an attempt's), for baselines that learn. */
  remember?(verdict: Verdict, settled: Settled): Promise<void>;
}
