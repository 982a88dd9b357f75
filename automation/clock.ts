/**
 * Clock seam: everything time-dependent asks this instead of Date/timers, so tests can drive it.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** ISO-8601 timestamp for a clock reading. */
export function isoAt(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
