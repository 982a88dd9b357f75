/**
 * Clock seam: everything time-dependent asks this instead of Date/timers, so tests can drive it.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once, `ms` from now; returns its cancel. Real timers where a clock has none. */
  after?(ms: number, fn: () => void): () => void;
}

/** A real timer: `fn` after `ms`, and its cancel. */
function realAfter(ms: number, fn: () => void): () => void {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now(), after: realAfter };

/** `clock`'s timers: its own when a test drives them, else real ones. */
export function timersOf(clock: Clock): (ms: number, fn: () => void) => () => void {
  return clock.after ? clock.after.bind(clock) : realAfter;
}

/** ISO-8601 timestamp for a clock reading. */
export function isoAt(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
