/**
 * A clock whose timers fire when the test says so (an attempt's deadline once the model is known
 * to hang), never on a guess of how long a loaded machine takes; time itself is the system's.
 */
import type { Clock } from '../../automation/clock.js';

export function drivenTimers() {
  const due = new Set<() => void>();
  const asked: number[] = [];
  const clock: Clock = {
    now: () => Date.now(),
    after(ms, fn) {
      asked.push(ms);
      due.add(fn);
      return () => due.delete(fn);
    },
  };
  return {
    clock,
    /** The delays timers were set for, in order. */
    asked,
    /** How many timers are set and not yet fired or cancelled. */
    get armed(): number {
      return due.size;
    },
    /** Fires every timer set now, as if its time had come. */
    fire(): void {
      const now = [...due];
      due.clear();
      for (const fn of now) fn();
    },
  };
}

/** Resolves once `holds()` is true, checking every 20 ms (up to `timeoutMs`). */
export async function until(holds: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!holds()) {
    if (Date.now() > end) throw new Error(`not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
