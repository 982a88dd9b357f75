/**
 * The history of flaky tests in the state (`flaky_tests`): each test id with how often it was
 * flaky and when, lately. A test flaky three times within a day is worth the developer's eye:
 * `fixloop status` and the dashboard list it.
 */
import type { State } from '../store/schema.js';

/** Times a test must be flaky within a day to be listed. */
export const FREQUENT = 3;
const DAY_MS = 86_400_000;
/** Tests remembered at most (those flaky longest ago are forgotten first). */
const MAX_TESTS = 200;
/** Times kept per test (enough to tell "3 within a day"). */
const MAX_TIMES = 20;

interface Entry {
  count: number;
  last_at: string;
  /** ISO times of the last flaky runs, oldest first. */
  recent: string[];
}

type WithFlaky = State & { flaky_tests?: Record<string, Entry> };

/** Counts each of `ids` as flaky once more at `now` (inside a store update). */
export function recordFlaky(state: State, ids: readonly string[], now: string): void {
  if (ids.length === 0) return;
  const s = state as WithFlaky;
  s.flaky_tests ??= {};
  const all = s.flaky_tests;
  const since = Date.parse(now) - DAY_MS;
  for (const id of new Set(ids)) {
    const before = all[id];
    const recent = [...(before?.recent ?? []).filter((t) => Date.parse(t) > since), now];
    delete all[id]; // re-inserted last: the newest
    all[id] = { count: (before?.count ?? 0) + 1, last_at: now, recent: recent.slice(-MAX_TIMES) };
  }
  const names = Object.keys(all);
  for (const old of names.slice(0, Math.max(0, names.length - MAX_TESTS))) delete all[old];
}

/** A test that was flaky often lately. */
export interface FrequentFlaky {
  id: string;
  /** Times within the last day. */
  last_day: number;
  count: number;
  last_at: string;
}

/** The tests flaky at least FREQUENT times within the day before `now` (ms), most first. */
export function frequentFlaky(state: State, now: number): FrequentFlaky[] {
  const all = (state as WithFlaky).flaky_tests ?? {};
  return Object.entries(all)
    .map(([id, e]) => ({
      id,
      last_day: e.recent.filter((t) => Date.parse(t) > now - DAY_MS).length,
      count: e.count,
      last_at: e.last_at,
    }))
    .filter((f) => f.last_day >= FREQUENT)
    .sort((a, b) => b.last_day - a.last_day || b.last_at.localeCompare(a.last_at));
}
