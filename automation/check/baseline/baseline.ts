/** What a baseline answers: which of a verdict's failures were already there before the change. */
import type { CheckTarget } from '../runner.js';
import type { FailingTest, Verdict } from '../verdict.js';

/** How a task left the tree: what it checked, and whether its failures were told to the user. */
export interface Settled {
  target: CheckTarget;
  /** The task ended failed or asking: its (new) failures are the change's. */
  attributed: boolean;
}

/** The failures known before the change, or why the run before could not tell. */
export interface BaselineAnswer {
  known: FailingTest[];
  /**
   * The run before could not be used (it failed to run, or read the working tree instead of the
   * commit): the failures it would have judged stay the change's.
   */
  unavailable?: string;
}

/** A copy of the project a baseline runs in, and the checkout it must not read from. */
export interface CopyOf {
  /** The developer's checkout (repository root). */
  source: string;
  /** The copy's repository root. */
  copy: string;
}

export interface Baseline {
  /** The failures of `verdict` that also failed before the change. */
  known(verdict: Verdict, target: CheckTarget, signal?: AbortSignal): Promise<BaselineAnswer>;
  /** Records the tree as a task left it (never an attempt's), for baselines that learn. */
  remember?(verdict: Verdict, settled: Settled): Promise<void>;
}
