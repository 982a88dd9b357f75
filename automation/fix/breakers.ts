/**
 * Per-file circuit breakers: opossum's state machine, opened by an exact count of failed tasks kept
 * in the state file.
 */
import CircuitBreaker from 'opossum';
import type { Clock } from '../clock.js';
import type { State } from '../store/schema.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerRecord {
  state: BreakerState;
  /** ISO times of failed fix tasks within the window. */
  failures: string[];
  opened_at?: string;
  until?: string;
}

/**
 * Adds a failed task for `file` to the state and prunes the window. Returns true when the count
 * reaches the threshold (the caller opens the breaker). opossum's own trip logic is rate-based,
 * so it is disabled and this exact count decides.
 */
export function recordFailure(
  state: State,
  file: string,
  nowMs: number,
  windowMs: number,
  threshold: number,
): boolean {
  const rec = (state.breakers[file] as BreakerRecord | undefined) ?? {
    state: 'closed',
    failures: [],
  };
  rec.failures = [...rec.failures, new Date(nowMs).toISOString()].filter(
    (t) => nowMs - Date.parse(t) < windowMs,
  );
  state.breakers[file] = rec;
  return rec.failures.length >= threshold || rec.state === 'half_open';
}

/** Marks a breaker's state in the state file. */
export function markBreaker(
  state: State,
  file: string,
  to: BreakerState,
  nowMs: number,
  windowMs: number,
): void {
  const rec = (state.breakers[file] as BreakerRecord | undefined) ?? {
    state: 'closed',
    failures: [],
  };
  const alreadyOpen =
    rec.state === 'open' && rec.until !== undefined && Date.parse(rec.until) > nowMs;
  rec.state = to;
  if (to === 'open' && !alreadyOpen) {
    rec.opened_at = new Date(nowMs).toISOString();
    rec.until = new Date(nowMs + windowMs).toISOString();
  }
  if (to === 'closed') {
    rec.failures = [];
    delete rec.opened_at;
    delete rec.until;
  }
  state.breakers[file] = rec;
}

/** A thrown marker so opossum counts a failed fix as a failure. */
class Failed<T> extends Error {
  constructor(readonly result: T) {
    super('fix failed');
  }
}

type Action = () => Promise<unknown>;

/** One opossum breaker per file in a Map; transitions are reported so they can be persisted. */
export class Breakers {
  private readonly map = new Map<string, CircuitBreaker<[Action], unknown>>();

  constructor(
    private readonly options: {
      windowMs: number;
      clock: Clock;
      onTransition: (file: string, to: BreakerState) => void;
    },
  ) {}

  /**
   * Re-creates open breakers from the state after a restart; an expired one goes half-open at once.
   */
  restore(state: State): void {
    for (const [file, raw] of Object.entries(state.breakers)) {
      const rec = raw as BreakerRecord;
      if (rec.state === 'closed') continue;
      const remaining = rec.until ? Date.parse(rec.until) - this.options.clock.now() : 0;
      this.get(file, Math.max(1, remaining)).open();
    }
  }

  stateOf(file: string): BreakerState {
    const b = this.map.get(file);
    if (!b) return 'closed';
    return b.halfOpen ? 'half_open' : b.opened ? 'open' : 'closed';
  }

  /**
   * Runs a fix through the file's breaker: `'open'` without calling it when open; in half-open
   * state the fix is the single trial (success closes, failure re-opens). `isFailure` tells which
   * results count as failures.
   */
  async run<T>(
    file: string,
    fix: () => Promise<T>,
    isFailure: (r: T) => boolean,
  ): Promise<T | 'open'> {
    const breaker = this.get(file);
    try {
      return (await breaker.fire(async () => {
        const r = await fix();
        if (isFailure(r)) throw new Failed(r);
        return r;
      })) as T;
    } catch (error) {
      if (error instanceof Failed) return error.result as T;
      if ((error as { code?: string }).code === 'EOPENBREAKER') return 'open';
      throw error;
    }
  }

  /** Opens the file's breaker (the exact count was reached). */
  open(file: string): void {
    this.get(file).open();
  }

  /** Drops a closed breaker (no recent failures), shutting it down so it holds no timers. */
  drop(file: string): void {
    const b = this.map.get(file);
    if (b && !b.opened && !b.halfOpen) {
      b.shutdown();
      this.map.delete(file);
    }
  }

  shutdown(): void {
    for (const b of this.map.values()) b.shutdown();
    this.map.clear();
  }

  private get(
    file: string,
    firstResetMs = this.options.windowMs,
  ): CircuitBreaker<[Action], unknown> {
    let b = this.map.get(file);
    if (b) return b;
    b = new CircuitBreaker(async (action: Action) => action(), {
      timeout: false,
      resetTimeout: firstResetMs,
      // Never trip on rates: the exact per-file count in the state file opens it.
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      errorThresholdPercentage: 100,
      allowWarmUp: false,
      name: file,
    });
    const breaker = b;
    breaker.on('open', () => this.options.onTransition(file, 'open'));
    breaker.on('halfOpen', () => {
      (breaker as unknown as { options: { resetTimeout: number } }).options.resetTimeout =
        this.options.windowMs; // restored breakers had the remainder
      this.options.onTransition(file, 'half_open');
    });
    breaker.on('close', () => this.options.onTransition(file, 'closed'));
    this.map.set(file, breaker);
    return breaker;
  }
}
