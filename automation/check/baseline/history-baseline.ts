/**
 * Known failures outside git: a test that failed in fixloop's previous run of it was already
 * there before this change, unless fixloop attributed that failure to a change of the same
 * file (a task that failed or asked about it): a retry or a new save of that file still owns it.
 * The history lives in the state file and is written when a task ends, never by an attempt.
 */
import { type Clock, isoAt } from '../../clock.js';
import type { State } from '../../store/schema.js';
import type { StateStore } from '../../store/store.js';
import type { CheckTarget } from '../runner.js';
import type { Verdict } from '../verdict.js';
import type { Baseline, BaselineAnswer, Settled } from './baseline.js';

/** Test files remembered at most (the oldest are forgotten first). */
const MAX_FILES = 500;

/** Per test file: when last run, what failed, and which changed file each failure was told to. */
type History = Record<string, { at: string; failing: string[]; yours?: Record<string, string[]> }>;

const historyOf = (state: State): History => {
  const s = state as State & { test_history?: History };
  s.test_history ??= {};
  return s.test_history;
};

export class HistoryBaseline implements Baseline {
  constructor(private readonly deps: { store: StateStore; clock: Clock }) {}

  async known(verdict: Verdict, target: CheckTarget): Promise<BaselineAnswer> {
    // A read is the store's frozen snapshot: looked at, never given a history of its own.
    const state = (await this.deps.store.read()) as State & { test_history?: History };
    const history = state.test_history ?? {};
    const known = verdict.failures.filter((f) => {
      const entry = f.file ? history[f.file] : undefined;
      if (!entry?.failing.includes(f.name)) return false;
      const toldTo = entry.yours?.[f.name] ?? [];
      return !target.files.some((file) => toldTo.includes(file));
    });
    return { known };
  }

  async remember(verdict: Verdict, settled: Settled): Promise<void> {
    const failures = [...verdict.failures, ...verdict.known_failures];
    const ran = verdict.test_files ?? [];
    const files = new Set([...ran, ...failures.flatMap((f) => (f.file ? [f.file] : []))]);
    if (files.size === 0) return;
    const at = isoAt(this.deps.clock);
    await this.deps.store.update((state) => {
      const history = historyOf(state);
      for (const file of files) {
        const before = history[file];
        const failing = failures.filter((f) => f.file === file).map((f) => f.name);
        const yours: Record<string, string[]> = {};
        for (const name of failing) {
          const told = new Set(before?.yours?.[name] ?? []);
          if (
            settled.attributed &&
            verdict.failures.some((f) => f.file === file && f.name === name)
          ) {
            for (const changed of settled.target.files) told.add(changed);
          }
          if (told.size) yours[name] = [...told];
        }
        delete history[file]; // re-inserted last: the newest
        history[file] = { at, failing, ...(Object.keys(yours).length ? { yours } : {}) };
      }
      const names = Object.keys(history);
      for (const old of names.slice(0, Math.max(0, names.length - MAX_FILES))) delete history[old];
    });
  }
}
