import { type Clock, timersOf } from '../clock.js';

/** An attempt's time limit, paused while the fix waits for the developer to pause. */
export class Deadline {
  private cancel: () => void = () => {};
  private readonly after: ReturnType<typeof timersOf>;
  private left: number;
  private since = 0;
  private pauses = 0;

  constructor(
    ms: number,
    private readonly onExpire: () => void,
    private readonly clock: Clock,
  ) {
    this.after = timersOf(clock);
    this.left = ms;
    this.run();
  }

  /** Stops the count (nested pauses need as many resumes). */
  pause(): void {
    if (this.pauses++ > 0) return;
    this.cancel();
    this.left -= this.clock.now() - this.since;
  }

  /** Counts on from where it paused. */
  resume(): void {
    if (--this.pauses === 0) this.run();
  }

  /** Ends it without expiring. */
  stop(): void {
    this.cancel();
    this.pauses = Number.POSITIVE_INFINITY;
  }

  private run(): void {
    this.since = this.clock.now();
    this.cancel = this.after(Math.max(0, this.left), this.onExpire);
  }
}
