/**
 * The developer's pauses: a fix may plan at once, but writes into the working tree only once the
 * developer has saved nothing for a while, so it never lands in the middle of their typing.
 */
import { type Clock, systemClock } from '../clock.js';

/** Tracks the user's last save and waits for a pause of `quietMs` (0: never waits). */
export class QuietPeriod {
  private lastSave = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly quietMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** A save of the user's was seen now. */
  saved(): void {
    this.lastSave = this.clock.now();
  }

  /** How long until the pause is long enough (0: it already is). */
  remainingMs(): number {
    return Math.max(0, this.lastSave + this.quietMs - this.clock.now());
  }

  /**
   * Resolves once the user has paused for `quietMs`; `onWait` is called when it has to wait. A
   * save during the wait starts it over. Rejects with the signal's reason when aborted.
   */
  async untilQuiet(signal: AbortSignal, onWait: () => void): Promise<void> {
    let waited = false;
    for (let left = this.remainingMs(); left > 0; left = this.remainingMs()) {
      signal.throwIfAborted();
      if (!waited) onWait();
      waited = true;
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          signal.removeEventListener('abort', abort);
          resolve();
        };
        const timer = setTimeout(done, left);
        const abort = () => {
          clearTimeout(timer);
          reject(signal.reason);
        };
        signal.addEventListener('abort', abort, { once: true });
      });
    }
    signal.throwIfAborted();
  }
}
